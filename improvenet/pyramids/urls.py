from django.urls import path

from improvenet.pyramids import views

app_name = "pyramids"

urlpatterns = [
    path("clusters/<slug:cluster>/pyramid-dashboards/", views.index, name="index"),
    path("clusters/<slug:cluster>/pyramid-dashboards/<int:school_id>/", views.dashboard, name="dashboard"),
]
