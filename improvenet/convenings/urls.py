from django.urls import path

from improvenet.convenings import views

app_name = "convenings"

c = "clusters/<slug:cluster>/convenings"
urlpatterns = [
    path(f"{c}/", views.convening_index, name="index"),
    path(f"{c}/new/", views.convening_new, name="new"),
    path(f"{c}/<int:convening_id>/", views.convening_page, name="convening"),
    path(f"{c}/<int:convening_id>/edit/", views.convening_edit, name="edit"),
    path(f"{c}/<int:convening_id>/packet.pdf", views.convening_pdf, name="pdf"),
    path(f"{c}/<int:convening_id>/teams/<int:team_id>/", views.team_packet_page, name="team"),
    path(f"{c}/<int:convening_id>/teams/<int:team_id>/packet.pdf", views.team_packet_pdf, name="team_pdf"),
]
