from django.urls import path

from improvenet.induction import views

app_name = "induction"

c = "clusters/<slug:cluster>/induction"
urlpatterns = [
    path(f"{c}/", views.outcomes_page, name="outcomes"),
    path(f"{c}/records/", views.records_page, name="records"),
    path(f"{c}/cohorts/<int:cohort_id>/", views.cohort_page, name="cohort"),
    path(f"{c}/inductions/<int:induction_id>/", views.induction_page, name="induction"),
    path(f"{c}/teachers/import/", views.roster_import, name="roster"),
    path(f"{c}/<slug:kind>/new/", views.record_new, name="new"),
    path(f"{c}/<slug:kind>/<int:record_id>/edit/", views.record_edit, name="edit"),
]
