"""What the learning pages, the API and other apps share: evidence per change idea, and spread and scale.

The public functions open the cluster's scope themselves, so other apps (convening packets, sharing)
call them with a cluster and get plain results: `evidence_for`, `evidence_index`, `spread_changes`,
`stages_on`, `scaling` and `travel`. The evidence rules are in improvenet.learning.evidence; this module
only gathers the facts, including the cycles of the ideas other clusters adopted from the cluster's
publications when those clusters share their work with the network (docs/learning.md).
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Prefetch
from django_scopes import scope

from improvenet.cycles.models import PdsaCycle, Prediction
from improvenet.design.models import ChangeIdea
from improvenet.learning.evidence import Evidence, IdeaFacts, Level, SchoolFacts, evaluate
from improvenet.learning.models import EvidenceThresholds, SpreadStage
from improvenet.measures import services as measure_services
from improvenet.measures.models import Measure
from improvenet.network.models import Cluster, School, cluster_schools, current_on
from improvenet.sharing.models import adoptions_out_of
from improvenet.synthesis.services import pooled_facts

# Signals that say the process has moved for a while, not a single unusual point.
RUN_RULES = {"longest_run", "shift"}
EVIDENCE_KINDS = (Measure.Kind.OUTCOME, Measure.Kind.DRIVER)
Stage = SpreadStage.Stage
ACTIVE_STAGES = (Stage.TESTING, Stage.IMPLEMENTING, Stage.SUSTAINED)
DEPTH = {Stage.NOT_STARTED: 0, Stage.TESTING: 1, Stage.IMPLEMENTING: 2, Stage.SUSTAINED: 3, Stage.ABANDONED: -1}
SCALE_ORDER = {value: index for index, value in enumerate(PdsaCycle.Scale.values)}


# Evidence -----------------------------------------------------------------------------------------


@dataclass
class MeasureSignal:
    """What one linked measure showed in one school after the school adopted the idea."""

    measure: Measure
    school: School
    adopted_on: datetime.date
    points_after: int
    sustained: list[str]  # the favourable run signals after adoption, in words


@dataclass
class IdeaEvidence:
    idea: ChangeIdea
    evidence: Evidence
    cycles: list[PdsaCycle] = field(default_factory=list)
    schools: list[School] = field(default_factory=list)
    facts: IdeaFacts = field(default_factory=IdeaFacts)
    predictions: dict[str, int] = field(default_factory=dict)
    levels: list[tuple[str, int]] = field(default_factory=list)
    scales: list[tuple[str, int]] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    decisions: list[PdsaCycle] = field(default_factory=list)
    signals: list[MeasureSignal] = field(default_factory=list)
    other_measures: list[Measure] = field(default_factory=list)  # linked process and balancing measures
    # Cycles of the idea as adopted by other clusters that share their work with the network; each has
    # `cluster` and `school` loaded, and `school_label` naming both.
    elsewhere: list[PdsaCycle] = field(default_factory=list)
    clusters_not_sharing: int = 0  # other clusters that adopted the idea and do not share their work

    @property
    def level(self) -> Level:
        return self.evidence.level

    @property
    def prediction_total(self) -> int:
        return sum(self.predictions.values())

    def to_dict(self) -> dict:
        return {
            "change_idea_id": self.idea.pk, "title": self.idea.title, "level": self.level.value,
            "level_label": self.level.label, "reasons": self.evidence.reasons, "cycles": len(self.cycles),
            "schools": len(self.schools), "predictions": self.predictions,
            "decisions": [{"cycle_id": c.pk, "school_id": c.school_id, "school": c.school.name,
                           "decision": c.decision, "decided_on": c.decided_on, "notes": c.decision_notes}
                          for c in self.decisions],
            "signals": [{"measure_id": s.measure.pk, "measure": s.measure.name, "school_id": s.school.pk,
                         "school": s.school.name, "adopted_on": s.adopted_on, "points_after": s.points_after,
                         "sustained": s.sustained} for s in self.signals],
            "other_measures": [{"measure_id": m.pk, "measure": m.name, "kind": m.kind} for m in self.other_measures],
            "other_cluster_cycles": [
                {"cycle_id": c.pk, "cluster": c.cluster.name, "cluster_slug": c.cluster.slug, "school": c.school_label,
                 "decision": c.decision, "decided_on": c.decided_on, "predictions": c.prediction_count,
                 "predictions_confirmed": c.confirmed_count} for c in self.elsewhere],
            "other_clusters_not_sharing": self.clusters_not_sharing,
        }


class SignalBook:
    """Each measure charted once for every school that adopted an idea (one qic_many call), however many
    ideas link the measure."""

    def __init__(self) -> None:
        self._schools: list[School] | None = None
        self._charts: dict[int, tuple[dict[int, list[str]], dict[int, list[dict]]]] = {}
        self._plans: dict[int, dict] = {}

    def _adopting_schools(self) -> list[School]:
        if self._schools is None:
            self._schools = list(School.objects.filter(pdsa_cycles__decision=PdsaCycle.Decision.ADOPT,
                                                         pdsa_cycles__withdrawn_at__isnull=True).distinct())
        return self._schools

    def chart(self, measure: Measure) -> tuple[dict[int, list[str]], dict[int, list[dict]]]:
        """The periods (ISO dates) and the signals of the measure's chart, per school id."""
        if measure.pk not in self._charts:
            chart = measure_services.cluster_chart(measure, self._adopting_schools())
            periods: dict[int, list[str]] = {}
            signals: dict[int, list[dict]] = {}
            if chart.result is not None:
                points = chart.result.point_columns
                days = np.asarray(points["x"]).astype("datetime64[D]").astype(str).tolist()
                for school_id, day in zip(points["school_id"].tolist(), days, strict=True):
                    periods.setdefault(school_id, []).append(day)
                columns = chart.result.signal_columns
                for i, school_id in enumerate(columns["school_id"].tolist()):
                    signals.setdefault(school_id, []).append({
                        "rule": columns["rule"][i], "direction": columns["direction"][i],
                        "n_points": int(columns["n_points"][i]), "first_x": measure_services.iso(columns["first_x"][i]),
                        "last_x": measure_services.iso(columns["last_x"][i]),
                    })
            self._charts[measure.pk] = (periods, signals)
            self._plans[measure.pk] = chart.plans
        return self._charts[measure.pk]

    def after_adoption(self, measure: Measure, school: School, adopted_on: datetime.date) -> MeasureSignal:
        periods, signals = self.chart(measure)
        day = adopted_on.isoformat()
        # A shift after the adoption starts a new part of the chart (improvenet.spc.plan_parts): within
        # the new part it no longer signals, so the part's start is the sustained signal.
        plan = self._plans[measure.pk].get(school.pk)
        new_parts = [
            {"rule": "longest_run", "direction": start.direction, "n_points": start.n_points,
             "first_x": start.x.isoformat(), "last_x": start.shift_last.isoformat()}
            for start in (plan.starts if plan else []) if start.cause == "change"
        ]
        sustained = [
            s for s in [*new_parts, *signals.get(school.pk, [])]
            if s["rule"] in RUN_RULES and s["first_x"] >= day
            and measure_services.is_better(s.get("direction") or "", measure)
        ]
        return MeasureSignal(
            measure, school, adopted_on, sum(1 for x in periods.get(school.pk, []) if x > day),
            measure_services.signal_sentences(sustained, measure),
        )


def thresholds_for(cluster: Cluster) -> EvidenceThresholds:
    return EvidenceThresholds.for_network(cluster.network)


def _counted_cycles(ideas) -> list[PdsaCycle]:
    """The cycles of the ideas, in the scope open, each with its prediction counts."""
    cycles = list(PdsaCycle.objects.filter(change_idea__in=ideas).select_related("school", "cluster")
                  .prefetch_related("measures", Prefetch("predictions", queryset=Prediction.objects.only(
                      "pk", "cycle_id", "outcome", "number")))
                  .order_by("school__name", "planned_start", "pk"))
    for cycle in cycles:
        predictions = cycle.predictions.all()
        cycle.prediction_count = len(predictions)
        cycle.confirmed_count = sum(1 for p in predictions if p.outcome == Prediction.Outcome.CONFIRMED)
    return cycles


def _idea_cycles(ideas: list[ChangeIdea]) -> dict[int, list[PdsaCycle]]:
    by_idea: dict[int, list[PdsaCycle]] = {idea.pk: [] for idea in ideas}
    for cycle in _counted_cycles(ideas):
        by_idea[cycle.change_idea_id].append(cycle)
    return by_idea


@dataclass
class Elsewhere:
    """What other clusters did with the ideas they adopted from this cluster's publications."""

    cycles: dict[int, list[PdsaCycle]]  # per source idea id: the cycles in clusters that share their work
    clusters_not_sharing: dict[int, int]  # per source idea id: adopting clusters that do not share


def _elsewhere(cluster: Cluster, ideas: list[ChangeIdea]) -> Elsewhere:
    """The cycles of the ideas adopted from the cluster's publications, read only in the adopting clusters that
    share their work with the network, one scope (and one query) per such cluster."""
    adoptions = list(adoptions_out_of(cluster).filter(publication__change_idea__in=ideas).exclude(cluster=cluster))
    cycles: dict[int, list[PdsaCycle]] = {idea.pk: [] for idea in ideas}
    not_sharing: dict[int, set[int]] = {idea.pk: set() for idea in ideas}
    sharing: dict[int, list] = {}
    for adoption in adoptions:
        if adoption.cluster.shares_with_network:
            sharing.setdefault(adoption.cluster_id, []).append(adoption)
        else:
            not_sharing[adoption.publication.change_idea_id].add(adoption.cluster_id)
    for cluster_adoptions in sharing.values():
        source = {a.change_idea_id: a.publication.change_idea_id for a in cluster_adoptions}
        with scope(cluster=cluster_adoptions[0].cluster):
            for cycle in _counted_cycles(list(source)):
                cycle.school_label = f"{cycle.school.name} ({cycle.cluster.name})"
                cycles[source[cycle.change_idea_id]].append(cycle)
    for idea_cycles in cycles.values():
        idea_cycles.sort(key=lambda c: (c.school_label, c.planned_start, c.pk))
    return Elsewhere(cycles, {pk: len(ids) for pk, ids in not_sharing.items()})


def _elsewhere_facts(cycles: list[PdsaCycle]) -> list[SchoolFacts]:
    """One school's facts per school of another cluster; their measures are that cluster's and are not charted."""
    by_school: dict[str, list[PdsaCycle]] = {}
    for cycle in cycles:
        by_school.setdefault(cycle.school_label, []).append(cycle)
    return [
        SchoolFacts(
            school=label, cycles=len(own), cycles_with_confirmed_prediction=sum(1 for c in own if c.confirmed_count),
            adopted=any(c.decision == PdsaCycle.Decision.ADOPT and c.decided_on for c in own),
            abandoned=any(c.decision == PdsaCycle.Decision.ABANDON for c in own),
        )
        for label, own in sorted(by_school.items())
    ]


def _evidence(idea: ChangeIdea, cycles: list[PdsaCycle], thresholds: EvidenceThresholds,
              book: SignalBook, elsewhere: Elsewhere) -> IdeaEvidence:
    schools = {c.school_id: c.school for c in cycles}
    linked = {m.pk: m for c in cycles for m in c.measures.all()}
    measures = {pk: m for pk, m in linked.items() if m.kind in EVIDENCE_KINDS}
    outcomes = Counter(p.outcome or "unanswered" for c in cycles for p in c.predictions.all())
    signals: list[MeasureSignal] = []
    facts = []
    for school in sorted(schools.values(), key=lambda s: s.name):
        own = [c for c in cycles if c.school_id == school.pk]
        adoptions = sorted(c.decided_on for c in own if c.decision == PdsaCycle.Decision.ADOPT and c.decided_on)
        school_signals = [book.after_adoption(m, school, adoptions[0]) for m in
                          sorted(measures.values(), key=lambda m: m.name)] if adoptions else []
        signals += school_signals
        facts.append(SchoolFacts(
            school=school.name, cycles=len(own),
            cycles_with_confirmed_prediction=sum(1 for c in own if c.confirmed_count),
            adopted=bool(adoptions),
            abandoned=any(c.decision == PdsaCycle.Decision.ABANDON for c in own),
            points_after_adoption=max((s.points_after for s in school_signals), default=0),
            sustained_signal=any(s.sustained for s in school_signals),
        ))
    other_cycles = elsewhere.cycles[idea.pk]
    # The effect-based criterion reads the evidence ledger only when the network asks for it.
    pooled = pooled_facts(idea.cluster, idea) if thresholds.supported_needs_pooled_effect else None
    idea_facts = IdeaFacts((*facts, *_elsewhere_facts(other_cycles)), pooled)
    by_order = sorted(cycles, key=lambda c: (c.decided_on or datetime.date.max, c.pk))
    return IdeaEvidence(
        idea=idea, evidence=evaluate(idea_facts, thresholds.as_rules()), cycles=cycles,
        schools=sorted(schools.values(), key=lambda s: s.name), facts=idea_facts,
        predictions={outcome: outcomes.get(outcome, 0) for outcome in (*Prediction.Outcome.values, "unanswered")},
        levels=sorted(Counter(c.school.get_level_display() for c in cycles).items()),
        scales=[(label, n) for value, label in PdsaCycle.Scale.choices
                if (n := sum(1 for c in cycles if c.scale == value))],
        groups=sorted({c.where for c in cycles if c.where.strip()}),
        decisions=[c for c in by_order if c.decision],
        signals=signals,
        other_measures=sorted((m for pk, m in linked.items() if pk not in measures), key=lambda m: m.name),
        elsewhere=other_cycles, clusters_not_sharing=elsewhere.clusters_not_sharing[idea.pk],
    )


def evidence_for(cluster: Cluster, change_idea: ChangeIdea, book: SignalBook | None = None) -> IdeaEvidence:
    """The computed evidence for one change idea of the cluster: level, reasons and the facts behind them."""
    with scope(cluster=cluster):
        cycles = _idea_cycles([change_idea])[change_idea.pk]
        return _evidence(change_idea, cycles, thresholds_for(cluster), book or SignalBook(),
                         _elsewhere(cluster, [change_idea]))


def evidence_index(cluster: Cluster) -> list[IdeaEvidence]:
    """The evidence for every current change idea of the cluster, by title."""
    with scope(cluster=cluster):
        ideas = list(ChangeIdea.objects.filter(current_on()).order_by("title"))
        cycles = _idea_cycles(ideas)
        thresholds, book, elsewhere = thresholds_for(cluster), SignalBook(), _elsewhere(cluster, ideas)
        return [_evidence(idea, cycles[idea.pk], thresholds, book, elsewhere) for idea in ideas]


# Spread and scale ---------------------------------------------------------------------------------


def spread_changes(cluster: Cluster, since: datetime.date, until: datetime.date) -> list[SpreadStage]:
    """The stage changes of the cluster dated from `since` to `until` (both included), oldest first."""
    with scope(cluster=cluster):
        return list(SpreadStage.objects.filter(started_on__gte=since, started_on__lte=until)
                    .select_related("change_idea", "school", "recorded_by").order_by("started_on", "pk"))


def stages_on(cluster: Cluster, on: datetime.date) -> dict[tuple[int, int], SpreadStage]:
    """The stage of each (change idea id, school id) on the day: the latest record dated on or before it."""
    with scope(cluster=cluster):
        latest: dict[tuple[int, int], SpreadStage] = {}
        for record in SpreadStage.objects.filter(started_on__lte=on).order_by("started_on", "pk"):
            latest[(record.change_idea_id, record.school_id)] = record
        return latest


@dataclass
class GridRow:
    school: School
    cells: list[SpreadStage | None]  # one per idea of the grid, in its order


@dataclass
class Grid:
    on: datetime.date
    ideas: list[ChangeIdea]
    groups: list[tuple[str, list[GridRow]]]  # schools by role: innovation, at-large, comparison, feeder


def grid(cluster: Cluster, on: datetime.date) -> Grid:
    """The stage on the day of every current change idea in every current school, schools grouped by role."""
    with scope(cluster=cluster):
        schools = cluster_schools()
        ideas = list(ChangeIdea.objects.filter(current_on()).order_by("title"))
        stages = stages_on(cluster, on)
    groups = []
    for value, label in School.Role.choices:
        rows = [GridRow(s, [stages.get((idea.pk, s.pk)) for idea in ideas]) for s in schools if s.role == value]
        if rows:
            groups.append((label, rows))
    return Grid(on, ideas, groups)


def history(cluster: Cluster, change_idea: ChangeIdea) -> dict[School, list[SpreadStage]]:
    """Every stage record of the idea, per school (schools by name), oldest first."""
    with scope(cluster=cluster):
        records = (SpreadStage.objects.filter(change_idea=change_idea).select_related("school", "recorded_by")
                   .order_by("school__name", "started_on", "pk"))
        by_school: dict[School, list[SpreadStage]] = {}
        for record in records:
            by_school.setdefault(record.school, []).append(record)
        return by_school


@dataclass
class Scaling:
    """Scaling in (deeper in the innovation schools) and scaling out (to other schools), counted apart."""

    deeper_stages: list[SpreadStage]
    larger_tests: list[PdsaCycle]
    reached_schools: list[SpreadStage]  # the first active stage of an idea in a school beyond the innovation schools
    other_clusters: list  # improvenet.sharing adoptions of this cluster's published ideas by other clusters

    @property
    def scaling_in(self) -> int:
        return len(self.deeper_stages) + len(self.larger_tests)

    @property
    def scaling_out(self) -> int:
        return len(self.reached_schools) + len(self.other_clusters)


def scaling(cluster: Cluster, on: datetime.date) -> Scaling:
    """What scaled in and out up to the day (see docs/learning.md)."""
    with scope(cluster=cluster):
        records = list(SpreadStage.objects.filter(started_on__lte=on).select_related("change_idea", "school")
                       .order_by("started_on", "pk"))
        cycles = list(PdsaCycle.objects.filter(school__role=School.Role.INNOVATION, planned_start__lte=on)
                      .select_related("change_idea", "school").order_by("planned_start", "pk"))
    previous: dict[tuple[int, int], SpreadStage] = {}
    deeper, reached, reached_keys = [], [], set()
    for record in records:
        key = (record.change_idea_id, record.school_id)
        before = previous.get(key)
        if record.school.role == School.Role.INNOVATION:
            if before is not None and DEPTH[Stage.TESTING] <= DEPTH[before.stage] < DEPTH[record.stage]:
                deeper.append(record)
        elif record.stage in ACTIVE_STAGES and key not in reached_keys:
            reached.append(record)
            reached_keys.add(key)
        previous[key] = record
    largest: dict[tuple[int, int], int] = {}
    larger = []
    for cycle in cycles:
        key = (cycle.change_idea_id, cycle.school_id)
        if key in largest and SCALE_ORDER[cycle.scale] > largest[key]:
            larger.append(cycle)
        largest[key] = max(largest.get(key, -1), SCALE_ORDER[cycle.scale])
    adopted_elsewhere = list(adoptions_out_of(cluster).filter(adopted_at__date__lte=on).order_by("adopted_at", "pk"))
    return Scaling(deeper, larger, reached, adopted_elsewhere)


@dataclass
class Travel:
    idea: ChangeIdea
    first: SpreadStage  # the first school that took the idea up
    reached: list[SpreadStage]  # the first active stage in each later school
    stopped: list[SpreadStage]  # the latest stage, where it is abandoned or not started


def travel(cluster: Cluster, on: datetime.date) -> tuple[list[Travel], list[Travel]]:
    """Ideas that traveled beyond their first school, and ideas that stopped somewhere, up to the day."""
    with scope(cluster=cluster):
        records = list(SpreadStage.objects.filter(started_on__lte=on).select_related("change_idea", "school")
                       .order_by("started_on", "pk"))
    by_idea: dict[int, list[SpreadStage]] = {}
    for record in records:
        by_idea.setdefault(record.change_idea_id, []).append(record)
    traveled, stopped = [], []
    for idea_records in by_idea.values():
        firsts: dict[int, SpreadStage] = {}
        latest: dict[int, SpreadStage] = {}
        for record in idea_records:
            if record.stage in ACTIVE_STAGES:
                firsts.setdefault(record.school_id, record)
            latest[record.school_id] = record
        started = sorted(firsts.values(), key=lambda r: (r.started_on, r.pk))
        ended = sorted((r for r in latest.values() if r.stage in (Stage.ABANDONED, Stage.NOT_STARTED)),
                       key=lambda r: r.school.name)
        entry = Travel(idea_records[0].change_idea, started[0] if started else idea_records[0], started[1:], ended)
        if entry.reached:
            traveled.append(entry)
        if ended:
            stopped.append(entry)
    traveled.sort(key=lambda t: (-len(t.reached), t.idea.title))
    stopped.sort(key=lambda t: t.idea.title)
    return traveled, stopped
