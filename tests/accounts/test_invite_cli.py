"""`improvenet invite`: one person or a file, through the real SMTP server; refusals exit 1 and send nothing."""

import subprocess
import sys
import time

from django_scopes import scopes_disabled
from typer.testing import CliRunner

from improvenet.accounts.models import Invitation, RoleEvent
from improvenet.cli.main import app
from tests.accounts.test_api_and_bulk import GOOD_CSV
from tests.accounts.test_invitations import link_in

runner = CliRunner()


def invite(*args: str):
    return runner.invoke(app, ["invite", *args, "--cluster", "alpha", "--by", "lead"])


def test_one_person_and_a_file(world, mail_server, settings, tmp_path):
    settings.IMPROVENET_SITE_URL = "https://improve.example.org"
    result = invite("maria@example.org", "--name", "Maria Lopez", "--role", "member", "--team",
                    "Alpha High design team")
    assert result.exit_code == 0, result.output
    assert "Sent the invitation to maria@example.org (team member)" in result.output
    assert link_in(mail_server, "maria@example.org").startswith("https://improve.example.org/accounts/invitations/")
    with scopes_disabled():
        assert RoleEvent.objects.get().channel == "cli"

    people = tmp_path / "people.csv"
    people.write_text(GOOD_CSV.replace("maria@", "maria2@"))
    checked = invite("--file", str(people), "--dry-run")
    assert checked.exit_code == 0 and "3 invitation(s) checked; nothing sent" in checked.output
    sent = invite("--file", str(people))
    assert sent.exit_code == 0, sent.output
    assert len(mail_server.wait_for(4)) == 4


def test_refusals_exit_1_and_send_nothing(world, mail_server, settings, tmp_path):
    settings.IMPROVENET_SITE_URL = "https://improve.example.org"
    people = tmp_path / "people.csv"
    people.write_text(GOOD_CSV + "Bad,not-an-address,wizard,,\n")
    bad_file = invite("--file", str(people))
    assert bad_file.exit_code == 1
    assert "line 5: “not-an-address” is not an e-mail address; the role “wizard”" in bad_file.output
    member = invite("sam@example.org", "--name", "Sam", "--role", "member")
    assert member.exit_code == 1 and "a team member needs the team" in member.output
    viewer = runner.invoke(app, ["invite", "x@example.org", "--cluster", "alpha", "--by", "viewer"])
    assert viewer.exit_code == 1 and "cannot invite" in viewer.output
    other = runner.invoke(app, ["invite", "x@example.org", "--cluster", "beta", "--by", "lead"])
    assert other.exit_code == 1 and "no cluster “beta”" in other.output
    both = invite("x@example.org", "--file", str(people))
    assert both.exit_code == 1 and "not both" in both.output
    assert mail_server.messages == []
    with scopes_disabled():
        assert not Invitation.objects.exists()


def test_the_command_starts_fast():
    """Only Typer is loaded to parse the command: its help answers well within 1.5 s on an idle machine."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "improvenet.cli.main", "invite", "--help"], check=True,
                   capture_output=True, timeout=30)
    assert time.perf_counter() - started < 5  # generous: the test machine is shared by many processes
    loaded = subprocess.run([sys.executable, "-c", "import sys, improvenet.cli.invite; "
                             "print(sorted(m for m in ('django', 'openpyxl', 'numpy') if m in sys.modules))"],
                            check=True, capture_output=True, text=True, timeout=30)
    assert loaded.stdout.strip() == "[]"
