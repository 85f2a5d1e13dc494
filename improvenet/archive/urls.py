from django.urls import path

from improvenet.archive import views

app_name = "archive"

urlpatterns = [
    path("clusters/<slug:cluster>/archive/", views.archive_page, name="page"),
    path("clusters/<slug:cluster>/archive/export.zip", views.archive_download, name="download"),
]
