"""`improvenet reminders send`: one e-mail per renewal or expiry date, never twice, through Django's mail."""

import smtplib

import pytest
from django_scopes import scopes_disabled
from typer.testing import CliRunner

from improvenet.cli.main import app
from improvenet.network.models import ClusterRole
from improvenet.partners.models import Agreement, Reminder
from tests.partners.conftest import DAY, make_agreement

runner = CliRunner()


def send(*args):
    return runner.invoke(app, ["reminders", "send", *args])


def test_sends_each_reminder_once_to_the_leads_and_researchers(partnered, mail_server, settings):
    """Through a real SMTP server on loopback: what the leads receive is what it received."""
    settings.IMPROVENET_SITE_URL = "https://improve.example.org"
    first = send("--cluster", "alpha")
    assert first.exit_code == 0, first.output
    assert "Alpha: 3 reminders to send, 0 sent before." in first.output
    assert "Sent 3 reminders; 0 sent before; 0 could not be sent." in first.output
    received = mail_server.wait_for(3)
    subjects = sorted(str(message["Subject"]).strip() for message in received)
    assert subjects[0].startswith("Alpha: “Attendance study” expires in 10 days")
    assert subjects[1].startswith("Alpha: “Union agreement” expires in 30 days")
    assert subjects[2].startswith("Alpha: “Union agreement” is due for renewal in 5 days")
    dua_mail = next(m for m in received if "Attendance" in str(m["Subject"]))
    assert sorted(a.strip() for a in str(dua_mail["To"]).split(",")) == [
        "lead@alpha.example.org", "researcher@alpha.example.org"
    ]
    union_mail = next(m for m in received if "renewal" in str(m["Subject"]))
    assert str(union_mail["To"]) == "lead@alpha.example.org"
    body = mail_server.body(union_mail)
    assert f"https://improve.example.org/clusters/alpha/agreements/{partnered.union_agreement.pk}/" in body
    assert "Parties: Alpha Teachers Union, Alpha USD" in body
    again = send("--cluster", "alpha")
    assert again.exit_code == 0 and "Sent 0 reminders; 3 sent before" in again.output
    assert len(mail_server.messages) == 3
    with scopes_disabled():
        assert Reminder.objects.filter(cluster=partnered.world.alpha).count() == 3


def test_a_changed_date_is_a_new_reminder(partnered, mailoutbox):
    assert send("--cluster", "alpha", "--days", "7").exit_code == 0
    assert len(mailoutbox) == 1
    with scopes_disabled():
        agreement = partnered.union_agreement
        agreement.renews_on = partnered.today
        agreement.save()
    assert "Sent 1 reminder;" in send("--cluster", "alpha", "--days", "7").output
    assert "due for renewal today" in mailoutbox[-1].subject


def test_dry_run_lists_and_sends_nothing(partnered, mailoutbox):
    result = send("--dry-run", "--days", "7")
    assert result.exit_code == 0
    assert "Union agreement” is due for renewal in 5 days" in result.output and "(dry run: not sent)" in result.output
    assert "Would send 1 reminder;" in result.output
    assert "Beta: 0 reminders to send" in result.output, "every current cluster, when none is named"
    assert mailoutbox == []
    with scopes_disabled():
        assert not Reminder.objects.exists()


def test_refuses_to_run_without_mail_settings(partnered, mailoutbox, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = ""
    result = send()
    assert result.exit_code == 1 and "E-mail is not configured: set IMPROVENET_EMAIL_HOST" in result.output
    assert "Traceback" not in result.output
    assert send("--dry-run").exit_code == 0, "a dry run needs no mail server"


def test_a_failed_send_is_not_recorded_and_exits_1(partnered, monkeypatch):
    def refuse(self, messages):
        raise smtplib.SMTPRecipientsRefused({"lead@alpha.example.org": (550, b"No such user")})

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    result = send("--cluster", "alpha")
    assert result.exit_code == 1
    assert "could not be sent: {'lead@alpha.example.org': (550, b'No such user')}" in result.output
    assert "Sent 0 reminders; 0 sent before; 3 could not be sent." in result.output
    with scopes_disabled():
        assert not Reminder.objects.exists(), "tried again next run"


def test_no_recipient_is_a_failure(partnered, mailoutbox):
    partnered.world.users.lead.email = ""
    partnered.world.users.lead.save()
    result = send("--cluster", "alpha", "--days", "7")
    assert result.exit_code == 1 and "no cluster lead has an e-mail address" in result.output


@pytest.mark.parametrize("args", [["--cluster", "nowhere"], ["--days", "-3"]])
def test_bad_options_say_why(partnered, args):
    result = send(*args)
    assert result.exit_code != 0 and "Traceback" not in result.output


def test_a_title_with_line_breaks_stays_one_subject_line(partnered, mailoutbox):
    make_agreement(partnered.world.alpha, [partnered.union], title="Pact\r\nBcc: spy@evil.example",
                   expires_on=partnered.today + 3 * DAY)
    result = send("--cluster", "alpha", "--days", "7")
    assert result.exit_code == 0, result.output
    mail = next(m for m in mailoutbox if "Pact" in m.subject)
    assert mail.subject.startswith("Alpha: “Pact Bcc: spy@evil.example” expires in 3 days")
    assert mail.message()["Bcc"] is None and mail.recipients() == ["lead@alpha.example.org"]


def test_no_mail_to_people_no_longer_in_the_cluster(partnered, mailoutbox):
    """The union agreement's recorder and the data use agreement's researcher now belong to beta only."""
    w = partnered.world
    with scopes_disabled():
        Agreement.objects.filter(pk=partnered.union_agreement.pk).update(created_by=w.users.outsider)
        partnered.dua.researchers.add(w.users.outsider)
        ClusterRole.objects.filter(cluster=w.alpha, user=w.users.researcher).delete()
    w.users.outsider.email = "beta-lead@beta.example.org"
    w.users.outsider.save()
    assert send("--cluster", "alpha").exit_code == 0
    assert {address for m in mailoutbox for address in m.to} == {"lead@alpha.example.org"}


def test_two_runs_at_once_send_each_reminder_once(partnered, mailoutbox, monkeypatch):
    assert send("--cluster", "alpha").exit_code == 0
    # The second run read the list before the first recorded its reminders.
    monkeypatch.setattr("improvenet.partners.reminders.already_sent", lambda entry, deadline: False)
    again = send("--cluster", "alpha")
    assert again.exit_code == 0, again.output
    assert "sent by another run" in again.output and "Traceback" not in again.output
    assert len(mailoutbox) == 3
