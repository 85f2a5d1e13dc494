"""`{% unread_notifications as count %}`: the signed-in person's unread notifications, counted only where shown."""

from django import template

from improvenet.notifications.access import own_notifications

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    with own_notifications(user) as notifications:
        return notifications.filter(read_at__isnull=True).count()
