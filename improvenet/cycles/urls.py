from django.urls import path, register_converter

from improvenet.cycles import views


class StepConverter:
    regex = "start-do|start-study|close-study"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class RecordedStage(StepConverter):
    regex = "do|study"


register_converter(StepConverter, "cyclestep")
register_converter(RecordedStage, "recordedstage")

app_name = "cycles"

c = "clusters/<slug:cluster>"
urlpatterns = [
    path(f"{c}/cycles/", views.cycle_index, name="index"),
    path(f"{c}/cycles/new/", views.cycle_new, name="new"),
    path(f"{c}/cycles/<int:cycle_id>/", views.cycle_page, name="cycle"),
    path(f"{c}/cycles/<int:cycle_id>/edit/", views.cycle_edit, name="edit"),
    path(f"{c}/cycles/<int:cycle_id>/<cyclestep:step>/", views.cycle_step, name="step"),
    path(f"{c}/cycles/<int:cycle_id>/notes/<recordedstage:stage>/", views.cycle_record, name="record"),
    path(f"{c}/cycles/<int:cycle_id>/decide/", views.cycle_decide, name="decide"),
    path(f"{c}/cycles/<int:cycle_id>/copy/", views.cycle_copy, name="copy"),
    path(f"{c}/cycles/<int:cycle_id>/reopen/", views.cycle_reopen, name="reopen"),
    path(f"{c}/cycles/<int:cycle_id>/predictions/new/", views.prediction_new, name="prediction_new"),
    path(f"{c}/predictions/<int:prediction_id>/edit/", views.prediction_edit, name="prediction_edit"),
    path(f"{c}/predictions/<int:prediction_id>/answer/", views.prediction_answer, name="prediction_answer"),
    path(f"{c}/teams/<int:team_id>/board/", views.team_board, name="board"),
]
