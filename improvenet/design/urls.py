from django.urls import path

from improvenet.design import views

app_name = "design"

_base = "clusters/<slug:cluster>/design"

urlpatterns = [
    path(f"{_base}/", views.design_home, name="home"),
    path(f"{_base}/challenges/new/", views.challenge_new, name="challenge_new"),
    path(f"{_base}/challenges/<int:challenge_id>/", views.challenge_page, name="challenge"),
    path(f"{_base}/challenges/<int:challenge_id>/edit/", views.challenge_edit, name="challenge_edit"),
    path(f"{_base}/challenges/<int:challenge_id>/aims/new/", views.aim_new, name="aim_new"),
    path(f"{_base}/aims/<int:aim_id>/", views.aim_page, name="aim"),
    path(f"{_base}/aims/<int:aim_id>/edit/", views.aim_edit, name="aim_edit"),
    path(f"{_base}/aims/<int:aim_id>/diagram/edit/", views.diagram_edit, name="diagram_edit"),
    path(f"{_base}/aims/<int:aim_id>/diagram/versions/<int:number>/", views.version_page, name="version"),
    path(f"{_base}/aims/<int:aim_id>/diagram/compare/", views.compare_page, name="compare"),
    path(f"{_base}/innovations/new/", views.innovation_new, name="innovation_new"),
    path(f"{_base}/innovations/<int:innovation_id>/", views.innovation_page, name="innovation"),
    path(f"{_base}/innovations/<int:innovation_id>/edit/", views.innovation_edit, name="innovation_edit"),
    path(f"{_base}/innovations/<int:innovation_id>/enactments/new/", views.enactment_new, name="enactment_new"),
    path(f"{_base}/enactments/<int:enactment_id>/adaptations/new/", views.adaptation_new, name="adaptation_new"),
    path(f"{_base}/adaptations/<int:adaptation_id>/decision/", views.adaptation_decide, name="adaptation_decide"),
]
