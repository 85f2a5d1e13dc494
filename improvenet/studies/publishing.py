"""Publishing a finished study to its network's library, and withdrawing it.

What the network reads is frozen when the study is published (`snapshot_of`): the evidence statement in its own
words, the headline numbers of the latest result and its estimates by site, the sites below the suppression
threshold left out exactly as the analysis leaves them out (`analysis.is_reported`). Never a student row: a
result keeps aggregates only. Publishing again after a new analysis ends the open publication and freezes the
new result; both steps are written to the cluster's audit log.
"""

from __future__ import annotations

import math

from django.db import transaction

from improvenet.analytics.suppression import DEFAULT_MIN_N
from improvenet.data.models import AuditEvent
from improvenet.lib.errors import Conflict
from improvenet.studies import analysis
from improvenet.studies.charts import Z95
from improvenet.studies.models import Study, StudyError, StudyPublication, StudyResult, outcome_label

NO_TIER = "This study does not meet the criteria of any ESSA evidence tier."
REPLACED = "Replaced by the publication of a newer analysis."


def snapshot_of(study: Study, result: StudyResult) -> dict:
    """The de-identified copy of a finished study that its network reads (docs/studies.md lists the fields)."""
    statement = analysis.evidence_statement(result)
    impact, findings = result.impact, result.findings
    highest = statement.highest_tier
    return {
        "title": study.title,
        "question": study.question,
        "design": study.design_summary,
        "outcome": outcome_label(result.outcome),
        "computed_on": result.computed_at.date().isoformat(),
        "tier": highest.verdict() if highest else NO_TIER,
        "headline": {
            "estimate": impact.estimate, "ci_low": impact.ci_low, "ci_high": impact.ci_high,
            "p_value": impact.p_value, "outcome_unit": findings.outcome_unit, "hedges_g": impact.hedges_g,
            "n_analyzed": impact.n_analyzed, "clusters": impact.clusters, "assigned": findings.assigned,
            "schools": findings.schools, "districts": findings.districts,
        },
        "suppressed_below": DEFAULT_MIN_N,
        "sites": [
            {"site": site["site"], "hedges_g": site["yi"], "ci_low": site["yi"] - Z95 * math.sqrt(site["vi"]),
             "ci_high": site["yi"] + Z95 * math.sqrt(site["vi"]), "treated": site["treated"],
             "control": site["control"], "schools": site["schools"]}
            for site in result.sites if analysis.is_reported(site["treated"], site["control"])
        ],
        # The statement as its page shows it (templates/studies/_statement.html reads the same names).
        "statement": {
            "design": statement.design, "numbers": list(statement.numbers),
            "wwc": {"rating": statement.wwc.rating, "reasons": list(statement.wwc.reasons)},
            "tiers": [{"number": tier.number, "name": tier.name, "verdict": tier.verdict(),
                       "criteria": [{"line": criterion.line()} for criterion in tier.criteria]}
                      for tier in statement.tiers],
            "caveat": statement.caveat,
        },
    }


def open_publication(study: Study) -> StudyPublication | None:
    return study.publications.filter(ended_on__isnull=True).select_related("published_by").first()


def publish(study: Study, user, *, channel: str) -> StudyPublication:
    """Publish the study's latest result to its network; run inside the study's cluster scope.

    Refused before there is a result (StudyError), and when that very result is already published (Conflict);
    a publication of an earlier result is ended, and kept, in the same transaction."""
    result = study.results.first()
    if result is None:
        raise StudyError({"publication": "Only a finished study is published: estimate its impact first, so that it "
                                         "has a result and an evidence statement."})
    snapshot = snapshot_of(study, result)
    with transaction.atomic():
        replaced = study.publications.select_for_update().filter(ended_on__isnull=True).first()
        if replaced is not None and replaced.result_id == result.pk:
            raise Conflict(f"“{study}” is already published with its latest result (since "
                           f"{replaced.published_at:%B %-d, %Y}); publish again after a new analysis.", replaced)
        if replaced is not None:
            replaced.withdraw(user, REPLACED)
        publication = StudyPublication.objects.create(
            study=study, cluster=study.cluster, result=result, title=study.title, design=snapshot["design"],
            outcome=snapshot["outcome"], tier=snapshot["tier"], snapshot=snapshot, published_by=user,
        )
        _audit(publication, user, channel, "study published to the network",
               {"replaces": replaced.pk if replaced else None})
    return publication


def withdraw(publication: StudyPublication, user, reason: str, *, channel: str) -> None:
    """End the publication today, saying why (refused without a reason, or when it has ended); the network no
    longer reads the study."""
    with transaction.atomic():
        publication.withdraw(user, reason)
        _audit(publication, user, channel, "study withdrawn from the network",
               {"reason": publication.withdrawal_reason})


def _audit(publication: StudyPublication, user, channel: str, action: str, detail: dict) -> None:
    study = publication.study
    AuditEvent.objects.create(
        cluster=publication.cluster, user=user, username=user.get_username() if user else "", channel=channel,
        action=f"{action}: {study.title}"[:100], agreement=study.agreement,
        detail={"study": study.pk, "publication": publication.pk, "result": publication.result_id, **detail},
    )
