from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "improvenet.notifications"
    label = "notifications"
    verbose_name = "Notifications"
    url_prefix = "notifications/"
