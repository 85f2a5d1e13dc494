"""`improvenet notifications send`: one weekly digest per person who chose it, through a real SMTP server,
each notification e-mailed once, titles only, with a signed link that turns the digest off without signing in."""

import datetime
import re

from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled
from typer.testing import CliRunner

from improvenet.cli.main import app
from improvenet.notifications import digest
from improvenet.notifications.models import DigestChoice, Notification
from tests.notifications.test_pages import notify

runner = CliRunner()


def send(*args):
    return runner.invoke(app, ["notifications", "send", *args])


def test_expiring_agreements_and_the_weekly_digest_reach_each_person_once(partnered, mail_server, settings):
    settings.IMPROVENET_SITE_URL = "https://improve.example.org"
    lead = partnered.world.users.lead
    digest.choose(lead, True)
    first = send()
    assert first.exit_code == 0, first.output
    assert "Alpha: 3 new notifications of expiring agreements." in first.output
    assert "Beta: 1 new notification of expiring agreements." in first.output
    assert "Sent 1 digest; 0 sent by another run; 0 could not be sent." in first.output
    [message] = mail_server.wait_for(1)
    assert str(message["To"]) == "lead@alpha.example.org"
    assert str(message["Subject"]) == "improvenet: 3 notifications this week"
    body = mail_server.body(message)
    assert "- The agreement “Attendance study” expires in 10 days" in body
    assert "- The agreement “Union agreement” is due for renewal in 5 days" in body
    assert "https://improve.example.org/clusters/alpha/agreements/" in body and "\r\nAlpha\r\n" in body
    unsubscribe = re.search(r"To stop this weekly digest, open (\S+) ", body).group(1)
    assert str(message["List-Unsubscribe"]).strip() == f"<{unsubscribe}>"
    assert str(message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"

    # Run again (a scheduler that runs daily): nothing new is sent, the same item never twice.
    with scopes_disabled():
        DigestChoice.objects.filter(user=lead).update(last_sent_at=timezone.now() - datetime.timedelta(days=8))
    again = send()
    assert "Sent 0 digests" in again.output and len(mail_server.messages) == 1
    with scopes_disabled():
        assert Notification.objects.filter(recipient=lead, emailed_at__isnull=False).count() == 3

    # The link works without signing in: a GET asks, the one-click POST turns it off.
    anonymous = Client(enforce_csrf_checks=True)
    path = unsubscribe.removeprefix("https://improve.example.org")
    assert "Stop the weekly digest" in anonymous.get(path).content.decode()
    assert DigestChoice.objects.get(user=lead).weekly
    assert anonymous.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not DigestChoice.objects.get(user=lead).weekly
    assert anonymous.get(path[:-3] + "xyz/").status_code == 404


def test_a_digest_is_weekly_carries_only_what_is_new_and_a_dry_run_changes_nothing(world, mail_server):
    member = world.users.member
    member.email = "member@alpha.example.org"
    member.save()
    digest.choose(member, True)
    notify(world, member)
    read = notify(world, member, "Already read.", key="vote:2:opened")
    with scopes_disabled():
        Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    dry = send("--dry-run")
    assert "member <member@alpha.example.org>: 1 notification (dry run: not sent)" in dry.output
    assert "Would send 1 digest" in dry.output and mail_server.messages == []
    assert send().exit_code == 0
    body = mail_server.body(mail_server.wait_for(1)[0])
    assert "A vote opened" in body and "Already read." not in body
    notify(world, member, "Something new.", key="vote:3:opened")
    assert "Sent 0 digests" in send().output  # sent less than a week ago
    with scopes_disabled():
        DigestChoice.objects.filter(user=member).update(last_sent_at=timezone.now() - datetime.timedelta(days=7))
    assert "Sent 1 digest" in send().output
    second = mail_server.body(mail_server.wait_for(2)[1])
    assert "Something new." in second and "A vote opened" not in second


def test_refuses_to_send_without_mail_settings(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = ""
    answer = send()
    assert answer.exit_code == 1 and "E-mail is not configured" in answer.output
