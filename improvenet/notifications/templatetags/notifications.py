"""`{% unread_notifications as count %}`: the signed-in person's unread notifications, counted only where shown
and once per request (the header and the home both show it)."""

from django import template

from improvenet.notifications.access import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    if not hasattr(request, "unread_notifications"):
        request.unread_notifications = unread_count(user)
    return request.unread_notifications
