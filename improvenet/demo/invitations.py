"""Demo invitations: Riverside's lead has invited three people who have not answered yet, and one whose link
expired; her log of role changes records them. The demo sends no e-mail: the lead sends them again from the
invitations page to try the links (with e-mail configured). docs/examples/riverside-invitations.csv is a file of
invitations for the demo's Riverside, to try inviting from a file.
"""

import datetime
import secrets
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.utils import timezone

from improvenet.accounts import tokens
from improvenet.accounts.models import Invitation, RoleEvent
from improvenet.demo.network import ALICE, RIVERSIDE
from improvenet.network.models import Cluster, ClusterRole, School, Team

Role = ClusterRole.Role


def create_invitations_demo(seed: int, report: Callable[[str], None]) -> None:
    report("Inviting people to Riverside")
    cluster = Cluster.objects.get(slug=RIVERSIDE)
    alice = get_user_model().objects.get(username=ALICE)
    school_team = Team.objects.filter(cluster=cluster, kind=Team.Kind.SCHOOL_DESIGN).order_by("name").first()
    now = timezone.now()
    planned = (
        ("Jordan", "Reyes", "jordan.reyes@rusd.example.org", Role.MEMBER, school_team, school_team.school, 2),
        ("Priya", "Natarajan", "priya.natarajan@rsu.example.org", Role.RESEARCHER, None, None, 1),
        ("Tomas", "Berg", "tomas.berg@board.rusd.example.org", Role.VIEWER, None, None, 0),
        ("Ama", "Mensah", "ama.mensah@rusd.example.org", Role.VIEWER, None, School.objects.filter(
            cluster=cluster, level=School.Level.MIDDLE).order_by("name").first(), 12),
    )
    for given, family, email, role, team, school, days_ago in planned:
        sent = now - datetime.timedelta(days=days_ago)
        Invitation.objects.create(
            cluster=cluster, email=email, given_name=given, family_name=family, role=role, team=team, school=school,
            # Nobody knows this link's secret: sending the invitation again makes one that works.
            digest=tokens.digest(secrets.token_urlsafe(32)), invited_by=alice, sent_at=sent, times_sent=1,
            expires_at=sent + datetime.timedelta(days=7),
        )
        RoleEvent.objects.create(cluster=cluster, at=sent, actor=alice, actor_name=ALICE, subject_name=email,
                                 action=RoleEvent.Action.INVITED, role_after=role, channel=RoleEvent.Channel.WEB,
                                 reason=f"Invited {given} {family}")
