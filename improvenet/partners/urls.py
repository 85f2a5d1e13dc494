"""The registry of partner agreements, their documents, and reminders of agreements about to expire."""
from django.urls import path

from improvenet.partners import views

app_name = "partners"

a = "clusters/<slug:cluster>/agreements"
urlpatterns = [
    path(f"{a}/", views.registry_page, name="registry"),
    path(f"{a}/expiring/", views.expiring_page, name="expiring"),
    path(f"{a}/new/", views.agreement_new, name="new"),
    path(f"{a}/<int:agreement_id>/", views.agreement_page, name="agreement"),
    path(f"{a}/<int:agreement_id>/edit/", views.agreement_edit, name="edit"),
    path(f"{a}/<int:agreement_id>/end/", views.agreement_end, name="end"),
    path(f"{a}/<int:agreement_id>/documents/new/", views.document_new, name="document_new"),
    path(f"{a}/<int:agreement_id>/documents/<int:document_id>/", views.document_download, name="document"),
]
