from django.urls import path

from improvenet.engagement import views

app_name = "engagement"

c = "clusters/<slug:cluster>/engagement"
urlpatterns = [
    path(f"{c}/", views.event_index, name="index"),
    path(f"{c}/events/new/", views.event_new, name="event_new"),
    path(f"{c}/events/<int:event_id>/", views.event_page, name="event"),
    path(f"{c}/events/<int:event_id>/edit/", views.event_edit, name="event_edit"),
    path(f"{c}/events/<int:event_id>/inputs/new/", views.input_new, name="input_new"),
    path(f"{c}/inputs/<int:input_id>/edit/", views.input_edit, name="input_edit"),
    path(f"{c}/objections/", views.objection_index, name="objections"),
    path(f"{c}/objections/new/", views.objection_new, name="objection_new"),
    path(f"{c}/objections/<int:objection_id>/", views.objection_page, name="objection"),
    path(f"{c}/objections/<int:objection_id>/edit/", views.objection_edit, name="objection_edit"),
    path(f"{c}/schools/<int:school_id>/", views.school_page, name="school"),
    path(f"{c}/decisions/", views.decision_index, name="decisions"),
    path(f"{c}/decisions/new/", views.decision_new, name="decision_new"),
    path(f"{c}/decisions/<int:decision_id>/", views.decision_page, name="decision"),
    path(f"{c}/decisions/<int:decision_id>/edit/", views.decision_edit, name="decision_edit"),
    path(f"{c}/decisions/<int:decision_id>/candidates/new/", views.candidate_new, name="candidate_new"),
    path(f"{c}/candidates/<int:candidate_id>/edit/", views.candidate_edit, name="candidate_edit"),
]
