"""The kinds of records the search finds: one `Kind` each, in `KINDS`.

Adding a kind is one entry: the model, how to read its records in bulk, and `describe`, which
turns a record into the text of its search document. `touched_by` lists the other models whose
changes change that text (a prediction's text is part of its cycle's document); the index listens
to all of them (improvenet.search.index).
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models
from django.urls import reverse
from django.utils import timezone

from improvenet.cycles.models import PdsaCycle, Prediction
from improvenet.design.models import (
    Adaptation,
    Aim,
    ChangeIdea,
    DesignChallenge,
    DriverDiagramVersion,
    Innovation,
    InnovationElement,
)


@dataclass(frozen=True)
class Document:
    """The searchable text of one record and what the filters need to know about it."""

    cluster_id: int
    title: str
    body: str
    url: str
    date: datetime.date | None = None
    school_id: int | None = None
    change_idea_id: int | None = None


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    plural: str
    model: type[models.Model]
    records: Callable[[], models.QuerySet]
    describe: Callable[[models.Model], Document]
    # (model, the pks of this kind's records an instance of it belongs to)
    touched_by: tuple[tuple[type[models.Model], Callable[[models.Model], Iterable[int]]], ...] = field(default=())


def _day(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment)


def paragraphs(*parts: str) -> str:
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


def _cycle(cycle: PdsaCycle) -> Document:
    predictions = [
        paragraphs(f"Prediction {p.number}: {p.text}", p.confirm_criterion, p.what_happened)
        for p in cycle.predictions.all()
    ]
    decision = f"Decision: {cycle.get_decision_display()}." if cycle.decision else ""
    return Document(
        cluster_id=cycle.cluster_id, title=cycle.objective[:300],
        body=paragraphs(cycle.questions, *predictions, cycle.what_happened, cycle.observations, cycle.learning,
                        decision, cycle.decision_notes),
        url=reverse("cycles:cycle", args=[cycle.cluster.slug, cycle.pk]),
        date=cycle.do_started_on or cycle.planned_start, school_id=cycle.school_id,
        change_idea_id=cycle.change_idea_id,
    )


def _change_idea(idea: ChangeIdea) -> Document:
    """A change idea has no page of its own: it links to the search for everything about it."""
    url = reverse("search:cluster", args=[idea.cluster.slug]) + f"?change_idea={idea.pk}"
    return Document(cluster_id=idea.cluster_id, title=idea.title, body=idea.description, url=url,
                    date=_day(idea.created_at), change_idea_id=idea.pk)


def _challenge(challenge: DesignChallenge) -> Document:
    causes = [f"{cause['category']}: {cause['cause']}" for cause in challenge.fishbone]
    aims = [aim.statement for aim in challenge.aims.all()]
    return Document(
        cluster_id=challenge.cluster_id, title=challenge.title,
        body=paragraphs(challenge.problem_of_practice, challenge.evidence, challenge.people_affected,
                        "\n".join(causes), *aims),
        url=reverse("design:challenge", args=[challenge.cluster.slug, challenge.pk]), date=_day(challenge.created_at),
    )


def _adaptation(adaptation: Adaptation) -> Document:
    enactment = adaptation.enactment
    innovation = enactment.innovation
    decision = f"Decision: {adaptation.get_status_display()}." if adaptation.decided_at else ""
    page = reverse("design:innovation", args=[innovation.cluster.slug, innovation.pk])
    return Document(
        cluster_id=innovation.cluster_id,
        title=f"Adaptation of “{adaptation.element.name}” in {enactment.school.name}"[:300],
        body=paragraphs(adaptation.description, adaptation.rationale, adaptation.proposed_wording, decision,
                        adaptation.decision_reason),
        url=f"{page}#adaptation-{adaptation.pk}",
        date=adaptation.adapted_on, school_id=enactment.school_id, change_idea_id=adaptation.element.change_idea_id,
    )


def _diagram_version(version: DriverDiagramVersion) -> Document:
    diagram = version.diagram
    return Document(
        cluster_id=diagram.cluster_id, title=f"Driver diagram version {version.number}: {diagram.aim.statement}"[:300],
        body=version.note,
        url=reverse("design:version", args=[diagram.cluster.slug, diagram.aim_id, version.number]),
        date=_day(version.saved_at),
    )


def _innovation(innovation: Innovation) -> Document:
    elements = [paragraphs(f"{element.get_kind_display()}: {element.name}", element.description)
                for element in innovation.elements.all()]
    return Document(
        cluster_id=innovation.cluster_id, title=innovation.name, body=paragraphs(innovation.description, *elements),
        url=reverse("design:innovation", args=[innovation.cluster.slug, innovation.pk]),
        date=_day(innovation.created_at),
    )


KINDS: dict[str, Kind] = {kind.key: kind for kind in (
    Kind(
        "cycle", "PDSA cycle", "PDSA cycles", PdsaCycle,
        lambda: PdsaCycle.objects.select_related("cluster").prefetch_related("predictions"), _cycle,
        touched_by=((Prediction, lambda prediction: [prediction.cycle_id]),),
    ),
    Kind("change_idea", "Change idea", "Change ideas", ChangeIdea,
         lambda: ChangeIdea.objects.select_related("cluster"), _change_idea),
    Kind(
        "challenge", "Design challenge", "Design challenges", DesignChallenge,
        lambda: DesignChallenge.objects.select_related("cluster").prefetch_related("causes", "aims"), _challenge,
        # Causes are written through the challenge's `fishbone`, whose save indexes them.
        touched_by=((Aim, lambda aim: [aim.challenge_id]),),
    ),
    Kind(
        "innovation", "Innovation", "Innovations", Innovation,
        lambda: Innovation.objects.select_related("cluster").prefetch_related("elements"), _innovation,
        touched_by=((InnovationElement, lambda element: [element.innovation_id]),),
    ),
    Kind(
        "adaptation", "Adaptation decision", "Adaptations and their decisions", Adaptation,
        lambda: Adaptation.objects.select_related(
            "enactment__school", "enactment__innovation__cluster", "element"
        ), _adaptation,
    ),
    Kind(
        "diagram_version", "Driver diagram version", "Driver diagram versions", DriverDiagramVersion,
        lambda: DriverDiagramVersion.objects.select_related("diagram__cluster", "diagram__aim"), _diagram_version,
    ),
)}
