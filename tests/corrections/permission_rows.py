"""Permission rows for corrections (see tests/permission_table.py).

Bob's school's design team (bob), the cluster lead (alice) and network admins withdraw and restore its
cycles and measure values; concerns and support are the lead's. Everyone who reads the cluster reads
a record's corrections.
"""

from django.contrib.auth import get_user_model

from improvenet.cycles.models import PdsaCycle
from improvenet.engagement.models import CommunityInput
from improvenet.measures.models import MeasureValue
from improvenet.network.models import Cluster, Person, Team
from improvenet.partnership.models import SelfAssessment
from tests.permission_table import (
    API_CHANGE,
    API_OWN_SCHOOL_CHANGE,
    API_READ,
    OWN_SCHOOL_POST,
    RIVERSIDE_CHANGE_POST,
    RIVERSIDE_READ,
    Action,
)


def demo_ids() -> dict:
    riverside = Cluster.objects.get(slug="riverside")
    bob = Person.objects.get(cluster=riverside, user=get_user_model().objects.get(username="bob"))
    team = Team.objects.get(kind="school_design", memberships__person=bob, memberships__ended_on__isnull=True)
    cycles = PdsaCycle.objects.filter(school=team.school).order_by("pk")
    withdrawn = cycles[1]
    withdrawn.withdraw(None, "Permission test: entered twice.")
    return {
        "correction_cycle": cycles[0].pk,
        "correction_withdrawn_cycle": withdrawn.pk,
        "correction_value": MeasureValue.objects.filter(school=team.school).order_by("pk").first().pk,
        "correction_input": CommunityInput.objects.filter(event__cluster=riverside).order_by("pk").first().pk,
        "correction_assessment": SelfAssessment.objects.filter(round__cluster=riverside).order_by("pk").first().pk,
    }


def rows(ids) -> dict[str, Action]:
    c = "/clusters/riverside/corrections"
    api = "/api" + c
    cycle, withdrawn = ids["correction_cycle"], ids["correction_withdrawn_cycle"]
    value, item, assessment = ids["correction_value"], ids["correction_input"], ids["correction_assessment"]
    reason = {"reason": "Permission test: entered by mistake."}
    return {
        "withdrawn records": Action("GET", f"{c}/", RIVERSIDE_READ),
        "correction page of a cycle": Action("GET", f"{c}/cycles/{cycle}/", RIVERSIDE_READ),
        "correction page of a self-assessment": Action("GET", f"{c}/partnership-assessments/{assessment}/",
                                                       RIVERSIDE_READ),
        "withdraw a cycle": Action("POST", f"{c}/cycles/{cycle}/", OWN_SCHOOL_POST, reason),
        "restore a cycle": Action("POST", f"{c}/cycles/{withdrawn}/", OWN_SCHOOL_POST, reason),
        "withdraw a concern or support": Action("POST", f"{c}/engagement-inputs/{item}/", RIVERSIDE_CHANGE_POST,
                                                reason),
        "api read a withdrawal": Action("GET", f"{api}/cycles/{withdrawn}", API_READ),
        "api read a measure value's withdrawal": Action("GET", f"{api}/measure-values/{value}", API_READ),
        "api withdraw a cycle": Action("POST", f"{api}/cycles/{cycle}/withdraw", API_OWN_SCHOOL_CHANGE, reason),
        "api withdraw a measure value": Action("POST", f"{api}/measure-values/{value}/withdraw", API_OWN_SCHOOL_CHANGE,
                                               reason),
        "api withdraw a concern or support": Action("POST", f"{api}/engagement-inputs/{item}/withdraw", API_CHANGE,
                                                    reason),
        "api restore a cycle": Action("POST", f"{api}/cycles/{withdrawn}/restore", API_OWN_SCHOOL_CHANGE, reason),
    }
