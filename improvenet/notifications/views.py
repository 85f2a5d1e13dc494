"""A person's notifications: the list (read and unread), opening one, the digest choice, and unsubscribing."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from improvenet.notifications import digest
from improvenet.notifications.access import notification_for_user, own_notifications
from improvenet.notifications.forms import DigestForm
from improvenet.notifications.models import DigestChoice

PAGE_SIZE = 100


@login_required
def notification_list(request):
    unread_only = request.GET.get("show") == "unread"
    with own_notifications(request.user) as notifications:
        unread = notifications.filter(read_at__isnull=True).count()
        shown = list((notifications.filter(read_at__isnull=True) if unread_only else notifications)[:PAGE_SIZE])
    choice = DigestChoice.objects.filter(user=request.user).first()
    context = {"notifications": shown, "unread": unread, "unread_only": unread_only,
               "digest_on": bool(choice and choice.weekly)}
    return render(request, "notifications/list.html", context)


@require_POST
@login_required
def notification_open(request, notification_id: int):
    """Mark the notification read and go to the page it is about."""
    with own_notifications(request.user) as notifications:
        notification = notification_for_user(notifications, notification_id)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
    return redirect(notification.url)


@require_POST
@login_required
def read_all(request):
    with own_notifications(request.user) as notifications:
        count = notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return redirect("notifications:list")


@login_required
def digest_choice(request):
    choice = DigestChoice.objects.filter(user=request.user).first()
    form = DigestForm(request.POST or None, initial={"weekly": bool(choice and choice.weekly)})
    if request.method == "POST" and form.is_valid():
        weekly = form.cleaned_data["weekly"]
        digest.choose(request.user, weekly)
        if weekly and not request.user.email:
            messages.warning(request, "Your account has no e-mail address yet, so no digest can be sent to it.")
        messages.success(request, "The weekly digest is on." if weekly else "The weekly digest is off.")
        return redirect("notifications:list")
    return render(request, "form.html", {"form": form, "title": "Weekly e-mail digest",
                                         "cancel_url": reverse("notifications:list"), "submit_label": "Save"},
                  status=422 if form.errors else 200)


@csrf_exempt  # one click from an e-mail, with no session: the signed token is the proof
def unsubscribe(request, token: str):
    """Turn the digest off from the link in a digest; a GET only asks, so a mail scanner cannot unsubscribe."""
    user_id = digest.user_id_from_token(token)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    if user is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        digest.choose(user, False)
        return render(request, "notifications/unsubscribe.html", {"done": True})
    return render(request, "notifications/unsubscribe.html", {"token": token})
