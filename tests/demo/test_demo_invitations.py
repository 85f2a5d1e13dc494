"""The demo's invitations: pending ones in Riverside's list and log, and an example file that checks clean."""

from pathlib import Path

from improvenet.accounts import invitations
from improvenet.accounts.models import Invitation, RoleEvent

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "riverside-invitations.csv"


def test_riverside_has_pending_invitations_and_the_example_file_is_ready_to_send(riverside):
    listed = Invitation.objects.filter(cluster=riverside, status="pending")
    assert listed.count() == 4
    assert sum(invitation.is_open for invitation in listed) == 3  # one has expired
    assert RoleEvent.objects.filter(cluster=riverside, action="invited").count() == 4
    checked = invitations.check_file(riverside, EXAMPLE.read_bytes(), EXAMPLE.name)
    assert checked.problems == []
    assert sorted(invitation.role for invitation in checked.invitations) == [
        "lead", "member", "member", "researcher", "viewer"]
