from django.urls import path

from improvenet.corrections import views

app_name = "corrections"

c = "clusters/<slug:cluster>/corrections"
urlpatterns = [
    path(f"{c}/", views.withdrawn_index, name="index"),
    path(f"{c}/<slug:kind>/<int:record_id>/", views.correct, name="correct"),
]
