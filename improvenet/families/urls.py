from django.urls import path

from improvenet.families import views

app_name = "families"

# Public pages (no sign-in), under /families/ in English and /es/families/ in Spanish.
PUBLIC = "families/<slug:cluster>/"
# Staff pages; the requests sit with the data pages, where the data team works.
STAFF = "clusters/<slug:cluster>/"

urlpatterns = [
    path(PUBLIC, views.cluster_home, name="cluster"),
    path(PUBLIC + "schools/<int:school>/", views.school_page, name="school"),
    path(STAFF + "family-pages/", views.settings_page, name="settings"),
    path(STAFF + "family-pages/edit/", views.settings_edit, name="settings_edit"),
    path(STAFF + "data/opt-out-requests/", views.request_list, name="requests"),
    path(STAFF + "data/opt-out-requests/<int:pk>/", views.request_detail, name="request"),
    path(STAFF + "data/opt-out-requests/<int:pk>/confirm/", views.request_confirm, name="request_confirm"),
    path(STAFF + "data/opt-out-requests/<int:pk>/not-matched/", views.request_not_matched,
         name="request_not_matched"),
]
