"""Partnership health: a rubric, partners' repeated self-assessments, trends and gaps."""
from django.urls import path

from improvenet.partnership import views

app_name = "partnership"

p = "clusters/<slug:cluster>/partnership"
urlpatterns = [
    path(f"{p}/", views.report_page, name="report"),
    path(f"{p}/rubric/", views.rubric_page, name="rubric"),
    path(f"{p}/rubric/edit/", views.rubric_edit, name="rubric_edit"),
    path(f"{p}/rounds/", views.round_list, name="rounds"),
    path(f"{p}/rounds/new/", views.round_new, name="round_new"),
    path(f"{p}/rounds/<int:round_id>/", views.round_page, name="round"),
    path(f"{p}/rounds/<int:round_id>/edit/", views.round_edit, name="round_edit"),
    path(f"{p}/rounds/<int:round_id>/assess/", views.assessment_new, name="assessment_new"),
    path(f"{p}/assessments/<int:assessment_id>/", views.assessment_page, name="assessment"),
    path(f"{p}/assessments/<int:assessment_id>/edit/", views.assessment_edit, name="assessment_edit"),
]
