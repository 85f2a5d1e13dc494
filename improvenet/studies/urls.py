from django.urls import path

from improvenet.studies import views

app_name = "studies"

c = "clusters/<slug:cluster>/studies"
urlpatterns = [
    path(f"{c}/", views.study_index, name="index"),
    path(f"{c}/new/", views.study_new, name="new"),
    path(f"{c}/power/", views.power_panel, name="power"),
    path(f"{c}/<int:study_id>/", views.study_page, name="study"),
    path(f"{c}/<int:study_id>/edit/", views.study_edit, name="edit"),
    path(f"{c}/<int:study_id>/register/", views.study_register, name="register"),
    path(f"{c}/<int:study_id>/allocation/", views.allocation_page, name="allocation"),
    path(f"{c}/<int:study_id>/impact/", views.impact_page, name="impact"),
    path(f"{c}/<int:study_id>/impact/sites.svg", views.impact_chart, name="impact_chart"),
    path(f"{c}/<int:study_id>/statement/", views.statement_page, name="statement"),
    path(f"{c}/<int:study_id>/publish/", views.study_publish, name="publish"),
    path(f"{c}/<int:study_id>/withdraw/", views.study_withdraw, name="withdraw"),
]
