from django.urls import path

from improvenet.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:notification_id>/open/", views.notification_open, name="open"),
    path("read-all/", views.read_all, name="read_all"),
    path("digest/", views.digest_choice, name="digest"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
