"""The frozen, de-identified snapshot a publication shows to the network.

Only the fields built here are published (docs/sharing.md lists them): the change idea's title and
description, its level of evidence and the reasons, and per decided PDSA cycle the scale, the
school's level and role (its name only when the cluster chooses to name its schools), the
objective, the predictions with their outcomes, what was learned, and the decision with its
reasons. Never who ran a cycle, where exactly, team members, data collected or observations. Every
free text goes through improvenet.sharing.scrub: e-mail addresses, phone numbers, long digit strings
and the names of the cluster's people (and schools, unless named) are removed.
"""

import datetime

from django.contrib.auth import get_user_model

from improvenet.cycles.models import PdsaCycle, Prediction
from improvenet.design.models import ChangeIdea
from improvenet.learning.services import evidence_for
from improvenet.network.models import Person, School
from improvenet.sharing.scrub import scrub

FORMAT = 1
PERSON_NOTE = "[name removed]"
SCHOOL_NOTE = "[a school]"


def evidence_snapshot(cluster, change_idea: ChangeIdea) -> dict:
    """The idea's level of evidence and its reasons, as the learning app computes them, as plain data."""
    evidence = evidence_for(cluster, change_idea).evidence
    return {"level": evidence.level.value, "label": evidence.level.label, "reasons": list(evidence.reasons)}


def redactions(cluster, names_schools: bool) -> dict[str, str]:
    """The phrases no published text may contain: people's names, and schools' unless the cluster names them."""
    names = {person.full_name for person in Person.objects.filter(cluster=cluster)}
    users = get_user_model().objects.filter(cluster_roles__cluster=cluster)
    names |= {user.get_full_name() for user in users}
    phrases = {name: PERSON_NOTE for name in names if name.strip()}
    if not names_schools:
        phrases |= {school.name: SCHOOL_NOTE for school in School.objects.filter(cluster=cluster)}
    return phrases


def build_snapshot(change_idea: ChangeIdea, *, names_schools: bool, on: datetime.date) -> dict:
    """The snapshot of the idea as published on `on`: the cycles decided by then, de-identified."""
    cluster = change_idea.cluster
    redact = redactions(cluster, names_schools)

    def clean(text: str) -> str:
        return scrub(text or "", redact).strip()

    cycles = (
        PdsaCycle.objects.filter(change_idea=change_idea, stage=PdsaCycle.Stage.DONE, decided_on__lte=on)
        .select_related("school").prefetch_related("predictions").order_by("decided_on", "pk")
    )
    evidence = evidence_snapshot(cluster, change_idea)
    return {
        "format": FORMAT,
        "title": clean(change_idea.title),
        "description": clean(change_idea.description),
        "cluster": cluster.name,
        "published_on": on.isoformat(),
        "names_schools": names_schools,
        "evidence": {**evidence, "reasons": [clean(reason) for reason in evidence["reasons"]]},
        "cycles": [_cycle(cycle, names_schools, clean) for cycle in cycles],
    }


def _cycle(cycle: PdsaCycle, names_schools: bool, clean) -> dict:
    school = cycle.school
    published = {
        "school_level": school.get_level_display(),
        "school_role": school.get_role_display(),
        "scale": cycle.get_scale_display(),
        "decided_in": f"{cycle.decided_on:%B %Y}",
        "objective": clean(cycle.objective),
        "predictions": [
            {
                "number": p.number,
                "prediction": clean(p.text),
                "what_would_confirm_it": clean(p.confirm_criterion),
                "outcome": p.outcome,
                "outcome_label": Prediction.Outcome(p.outcome).label if p.outcome else "Not answered",
                "what_happened": clean(p.what_happened),
            }
            for p in sorted(cycle.predictions.all(), key=lambda p: p.number)
        ],
        "learning": clean(cycle.learning),
        "decision": cycle.decision,
        "decision_label": cycle.get_decision_display(),
        "decision_reasons": clean(cycle.decision_notes),
    }
    if names_schools:
        published["school"] = school.name
    return published


# The keys a snapshot may have: tests hold the builder to them, so a new field is a deliberate choice.
SNAPSHOT_KEYS = {"format", "title", "description", "cluster", "published_on", "names_schools", "evidence", "cycles"}
CYCLE_KEYS = {
    "school_level", "school_role", "school", "scale", "decided_in", "objective", "predictions", "learning",
    "decision", "decision_label", "decision_reasons",
}
PREDICTION_KEYS = {"number", "prediction", "what_would_confirm_it", "outcome", "outcome_label", "what_happened"}
EVIDENCE_KEYS = {"level", "label", "reasons"}
