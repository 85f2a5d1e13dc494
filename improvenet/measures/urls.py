from django.urls import path, register_converter

from improvenet.measures import views


class DownloadFormat:
    regex = "csv|svg|png"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(DownloadFormat, "chartformat")

app_name = "measures"
m = "clusters/<slug:cluster>/measures/<slug:slug>"
urlpatterns = [
    path("clusters/<slug:cluster>/measures/", views.measure_list, name="list"),
    path("clusters/<slug:cluster>/measures/new/", views.measure_new, name="new"),
    path(f"{m}/", views.measure_page, name="measure"),
    path(f"{m}/edit/", views.measure_edit, name="edit"),
    path(f"{m}/end/", views.measure_end, name="end"),
    path(f"{m}/upload/", views.upload, name="upload"),
    path(f"{m}/chart.<chartformat:fmt>", views.measure_download, name="download"),
    path(f"{m}/schools/<int:school_id>/", views.measure_school, name="school"),
    path(f"{m}/schools/<int:school_id>/values/new/", views.value_entry, name="value_new"),
    path(f"{m}/schools/<int:school_id>/breaks/new/", views.break_new, name="break_new"),
    path(f"{m}/schools/<int:school_id>/breaks/<int:break_id>/remove/", views.break_remove, name="break_remove"),
    path(f"{m}/schools/<int:school_id>/chart.<chartformat:fmt>", views.measure_school_download,
         name="school_download"),
]
