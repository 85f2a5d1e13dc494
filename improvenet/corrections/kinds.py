"""The kinds of record that can be withdrawn: how each is found, who may correct it, where its page is.

Each kind reads through its app's access rules, with withdrawn records included (`with_withdrawn`),
since a withdrawn record keeps its page and may be restored.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace

from django.db import models
from django.http import Http404
from django.urls import reverse

from improvenet.cycles.access import cycle_for_user
from improvenet.cycles.models import PdsaCycle
from improvenet.engagement.models import CommunityInput
from improvenet.measures.models import MeasureValue
from improvenet.measures.services import writable_school_ids
from improvenet.network.access import Access, member_of_cluster
from improvenet.network.models import Cluster
from improvenet.partnership.access import assessment_for_user
from improvenet.partnership.models import SelfAssessment

CANNOT_CORRECT = "Only those who change this record (its school's team, or the cluster lead) withdraw or restore it."


@dataclass(frozen=True)
class Kind:
    slug: str
    label: str
    model: type[models.Model]
    find: Callable[[object, Access[Cluster], int], Access]  # (user, cluster access, pk) -> the record's Access
    page: Callable[[Cluster, models.Model], str]  # the record's own page


def _measure_value(user, cluster: Access[Cluster], pk: int) -> Access[MeasureValue]:
    found = member_of_cluster(MeasureValue.with_withdrawn.all(), cluster, pk, "measure value",
                              related=["measure", "school"])
    writable = writable_school_ids(user, cluster)
    return replace(found, can_change=writable is None or found.obj.school_id in writable)


def _community_input(user, cluster: Access[Cluster], pk: int) -> Access[CommunityInput]:
    return member_of_cluster(CommunityInput.with_withdrawn.all(), cluster, pk, "concern or support",
                             related=["event"])


KINDS = {kind.slug: kind for kind in (
    Kind("cycles", "PDSA cycle", PdsaCycle, cycle_for_user,
         lambda cluster, cycle: reverse("cycles:cycle", args=[cluster.slug, cycle.pk])),
    Kind("measure-values", "measure value", MeasureValue, _measure_value,
         lambda cluster, value: reverse("measures:school", args=[cluster.slug, value.measure.slug, value.school_id])),
    Kind("engagement-inputs", "concern or support", CommunityInput, _community_input,
         lambda cluster, record: reverse("engagement:event", args=[cluster.slug, record.event_id])),
    Kind("partnership-assessments", "partnership self-assessment", SelfAssessment,
         assessment_for_user,
         lambda cluster, assessment: reverse("partnership:assessment", args=[cluster.slug, assessment.pk])),
)}


def kind_named(slug: str) -> Kind:
    kind = KINDS.get(slug)
    if kind is None:
        raise Http404(f"There is no kind of record “{slug}”; withdrawable kinds are {', '.join(KINDS)}.")
    return kind
