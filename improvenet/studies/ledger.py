"""Finished studies' estimates by site, for the evidence ledger (improvenet.synthesis.sources): per block of a
blocked study (or the whole cluster), Hedges' g and its variance from the study's latest result. Only the
aggregates the result keeps (sites with too few students were never kept), and only of studies whose cluster
(or a cluster the study is shared with) the person reads."""

from collections.abc import Iterable

from django.db.models import Q
from django.urls import reverse
from django_scopes import scopes_disabled

from improvenet.studies.models import StudyResult, outcome_label
from improvenet.synthesis.sources import SUBJECT_KINDS, SiteEstimate

SOURCE = "studies"


def study_estimates(subject_kind: str, subject_id: int, readable_cluster_ids: frozenset[int]) -> Iterable[SiteEstimate]:
    if subject_kind not in SUBJECT_KINDS:
        return []
    readable = Q(study__cluster_id__in=readable_cluster_ids) | Q(study__shared_with__in=readable_cluster_ids)
    # The person's readable clusters are the filter, across clusters: the ledger reads the whole network.
    with scopes_disabled():
        results = (StudyResult.objects.filter(readable, **{f"study__{subject_kind}_id": subject_id},
                                              study__registered_at__isnull=False)
                   .select_related("study__cluster").order_by("study_id", "-computed_at", "-pk").distinct())
        latest = {}
        for result in results:
            latest.setdefault(result.study_id, result)
        estimates = []
        for result in latest.values():
            study = result.study
            url = reverse("studies:impact", args=[study.cluster.slug, study.pk])
            outcome = outcome_label(result.outcome)
            estimates += [
                SiteEstimate(source=SOURCE, site=site["site"], cluster_id=study.cluster_id, yi=site["yi"],
                             vi=site["vi"], outcome=outcome, label=f"{study.title}: {site['site']}", url=url,
                             moderators={"cluster": study.cluster.name})
                for site in result.sites
            ]
    return estimates
