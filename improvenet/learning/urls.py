from django.urls import path

from improvenet.learning import views

app_name = "learning"

c = "clusters/<slug:cluster>/learning"
urlpatterns = [
    path(f"{c}/ideas/", views.evidence_index, name="index"),
    path(f"{c}/ideas/<int:idea_id>/", views.evidence_page, name="evidence"),
    path(f"{c}/thresholds/", views.thresholds_page, name="thresholds"),
    path(f"{c}/spread/", views.spread_grid, name="grid"),
    path(f"{c}/spread/ideas/<int:idea_id>/", views.spread_timeline, name="timeline"),
    path(f"{c}/spread/ideas/<int:idea_id>/record/", views.spread_record, name="record"),
    path(f"{c}/travel/", views.travel_page, name="travel"),
]
