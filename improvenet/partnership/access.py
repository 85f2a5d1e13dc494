"""Who may read and change partnership health, on top of improvenet.network.access.

Everyone who may read the cluster reads the rubric, the rounds, every self-assessment and the
report. The cluster lead (and network admins) edit the rubric, plan rounds and record any partner's
self-assessment. A partner organization also rates itself: a person of the cluster whose home
organization it is, signed in with their own account, records and corrects that organization's
self-assessments (and no other's).
"""

from dataclasses import replace

from improvenet.network.access import Access, member_of_cluster, partner_organizations
from improvenet.network.models import Cluster, Organization, Person, current_on
from improvenet.partnership.models import Round, Rubric, SelfAssessment


def rubric_for_user(cluster: Access[Cluster], pk: int) -> Access[Rubric]:
    return member_of_cluster(Rubric, cluster, pk, "rubric version")


def round_for_user(cluster: Access[Cluster], pk: int) -> Access[Round]:
    return member_of_cluster(Round, cluster, pk, "assessment round", related=["cluster"])


def organizations_user_rates(user, cluster: Access[Cluster]):
    """The partner organizations whose self-assessments the user may record."""
    organizations = partner_organizations().filter(current_on())
    if cluster.can_change:
        return organizations
    if not (user and user.is_authenticated):
        return organizations.none()
    homes = Person.objects.filter(current_on(), user=user).values("home_organization_id")
    return organizations.filter(pk__in=homes)


def may_rate(user, cluster: Access[Cluster], organization: Organization) -> bool:
    return cluster.can_change or organizations_user_rates(user, cluster).filter(pk=organization.pk).exists()


def assessment_in_cluster(cluster: Access[Cluster], pk: int) -> Access[SelfAssessment]:
    """A self-assessment to read; who may change it is `assessment_for_user`'s answer, not this one's."""
    # A withdrawn self-assessment keeps its page (it shows the withdrawal), though the report leaves it out.
    return member_of_cluster(SelfAssessment.with_withdrawn.all(), cluster, pk, "self-assessment",
                             related=["round", "organization", "rubric"])


def assessment_for_user(user, cluster: Access[Cluster], pk: int) -> Access[SelfAssessment]:
    found = assessment_in_cluster(cluster, pk)
    return replace(found, can_change=may_rate(user, cluster, found.obj.organization))
