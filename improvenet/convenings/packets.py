"""Convening packets: what a school team (or the whole cluster) brings to a convening.

A packet covers the convening's window, from the day after the previous convening (or from the
start, for a cluster's first convening) up to and including the convening's day, and shows the
work as it stood on that day, so that the packet of a past convening reads as it did then:

- the PDSA cycles with a step in the window, with their stage on the day, their predictions
  confirmed, what the team learned and the decision (when it was taken by then);
- new chart signals: the SPC engine charts each current measure with the data up to the day, and
  a signal is new when all its points fall in the window;
- the adaptations outside the innovation's boundary that were awaiting a decision on the day;
- the changes in the spread of change ideas recorded in the window;
- the change ideas whose pooled effect or heterogeneity in the evidence ledger changed since the previous
  convening (improvenet.synthesis.services keeps each convening's pooled estimates for the next one);
- prompts for the share-out, written from all of the above.

Every function runs inside the convening's cluster scope.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import numpy as np
from django.db.models import Count, Q
from django.utils.text import slugify

from improvenet import __version__
from improvenet.convenings.models import Convening
from improvenet.cycles.models import PdsaCycle, Prediction
from improvenet.design.models import Adaptation, ChangeIdea
from improvenet.learning.models import SpreadStage
from improvenet.learning.services import spread_changes
from improvenet.measures import services as measure_services
from improvenet.measures.models import Measure, MeasureValue
from improvenet.network.models import School, Team, current_on
from improvenet.spc import MIN_PART_POINTS, SPCInputError
from improvenet.spc.vega import to_svg
from improvenet.synthesis.services import CHANGE_THRESHOLD, PooledChange, changes_since_previous

if TYPE_CHECKING:  # pandas takes seconds to load: imported by the functions that chart
    import pandas as pd

# A packet is read on paper in a meeting, and drawing a chart into the PDF is its slowest part:
# it draws the measures with new signals that matter most (outcome measures first); the signals
# of the others are listed in words.
CHARTS_PER_PACKET = 2
DRAWN_DAYS = 182
KIND_ORDER = [Measure.Kind.OUTCOME, Measure.Kind.DRIVER, Measure.Kind.PROCESS, Measure.Kind.BALANCING]

Stage = PdsaCycle.Stage
Decision = PdsaCycle.Decision


@dataclass
class CycleEntry:
    cycle: PdsaCycle
    stage: str  # the stage on the convening's day
    decision: str  # empty when the decision came after the convening's day
    predictions: int
    confirmed: int
    not_confirmed: int
    ramp_position: int  # 1 for the first cycle of its ramp

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label

    @property
    def decision_label(self) -> str:
        return Decision(self.decision).label if self.decision else ""

    def to_dict(self) -> dict:
        cycle = self.cycle
        return {
            "id": cycle.pk, "school_id": cycle.school_id, "team_id": cycle.team_id, "objective": cycle.objective,
            "change_idea": cycle.change_idea.title, "stage": self.stage, "planned_start": cycle.planned_start,
            "predictions": self.predictions, "predictions_confirmed": self.confirmed,
            "predictions_not_confirmed": self.not_confirmed, "learning": cycle.learning if self.stage in (
                Stage.ACT, Stage.DONE) else "",
            "decision": self.decision, "decided_on": cycle.decided_on if self.decision else None,
            "decision_notes": cycle.decision_notes if self.decision else "", "ramp_position": self.ramp_position,
        }


@dataclass
class SignalEntry:
    measure: Measure
    school: School
    rule: str
    direction: str
    first: datetime.date
    last: datetime.date
    sentence: str
    better: bool | None  # towards improvement, worse, or neither (a run signal without a direction)

    def to_dict(self) -> dict:
        return {
            "measure": self.measure.slug, "measure_name": self.measure.name, "school_id": self.school.pk,
            "school": self.school.name, "rule": self.rule, "direction": self.direction, "first_period": self.first,
            "last_period": self.last, "sentence": self.sentence, "towards_improvement": self.better,
        }


@dataclass
class MeasureChart:
    """A measure with new signals; the first few of a packet are drawn (`spec`, then `svg`)."""

    measure: Measure
    title: str
    signals: list[SignalEntry]
    spec: dict | None = None
    svg: str = ""

    @property
    def svg_data_url(self) -> str:
        return _data_url(self.svg)


@dataclass
class ForestChart:
    """The forest plot of a change idea whose pooled effect changed, drawn for the HTML and PDF packet."""

    change: PooledChange
    svg: str

    @property
    def svg_data_url(self) -> str:
        return _data_url(self.svg)


def _data_url(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


@dataclass
class TeamSection:
    team: Team
    cycles: list[CycleEntry]


@dataclass
class Packet:
    convening: Convening
    team: Team | None  # None: the packet of the whole cluster
    since: datetime.date | None
    until: datetime.date
    sections: list[TeamSection]
    signals: list[SignalEntry]
    charts: list[MeasureChart]
    adaptations: list[Adaptation]
    spread: list[SpreadStage]
    pooled_changes: list[PooledChange] = field(default_factory=list)
    pooled_baseline: bool = False  # whether the previous convening kept pooled estimates to compare with
    pooled_threshold: ClassVar[float] = CHANGE_THRESHOLD
    forests: list[ForestChart] = field(default_factory=list)  # drawn only with the SVG
    prompts: list[str] = field(default_factory=list)

    @property
    def audience(self) -> str:
        return self.team.name if self.team else self.convening.cluster.name

    @property
    def charts_drawn(self) -> int:
        return sum(1 for chart in self.charts if chart.spec)

    @property
    def cycle_count(self) -> int:
        return sum(len(section.cycles) for section in self.sections)

    def filename(self) -> str:
        suffix = _short_school_name(self.team.school.name) if self.team else "network"
        return f"{self.convening.file_stem(suffix)}.pdf"

    def to_dict(self) -> dict:
        return {
            "convening_id": self.convening.pk, "title": self.convening.title,
            "team_id": self.team.pk if self.team else None, "audience": self.audience,
            "since": self.since, "until": self.until,
            "teams": [{"team_id": s.team.pk, "team": s.team.name, "school_id": s.team.school_id,
                       "cycles": [entry.to_dict() for entry in s.cycles]} for s in self.sections],
            "signals": [signal.to_dict() for signal in self.signals],
            "adaptations": [_adaptation_dict(a) for a in self.adaptations],
            "spread_changes": [_spread_dict(s) for s in self.spread],
            "pooled_changes": [{"change_idea_id": c.idea.pk, "change_idea": c.idea.title, "scale": c.scale,
                                "sentence": c.sentence} for c in self.pooled_changes],
            "pooled_baseline": self.pooled_baseline,
            "prompts": self.prompts,
        }


def build_packet(convening: Convening, team: Team | None = None, *, with_svg: bool = False,
                 with_signals: bool = True) -> Packet:
    """The packet of one school design team, or (team None) of every school design team of the cluster; without
    its chart signals (`with_signals=False`) it is ready in a few queries, with no chart computed."""
    since, until = convening.window()
    teams = [team] if team else list(packet_teams(until))
    schools = [t.school for t in teams]
    school_ids = [s.pk for s in schools]
    cycles = cycles_in_window(school_ids, since, until)
    sections = [TeamSection(t, [entry for entry in cycles if entry.cycle.team_id == t.pk]) for t in teams]
    charts, signals = new_signals(schools, since, until) if with_signals else ([], [])
    adaptations = awaiting_adaptations(school_ids, until)
    # spread_changes counts both days in; the packet's window starts the day after the previous convening.
    first_day = since + datetime.timedelta(days=1) if since else datetime.date.min
    spread = [change for change in spread_changes(convening.cluster, first_day, until)
              if change.school_id in school_ids]
    pooled_changes, pooled_baseline = changes_since_previous(convening)
    packet = Packet(convening, team, since, until, sections, signals, charts, adaptations, spread,
                    pooled_changes, pooled_baseline)
    packet.prompts = share_out_prompts(packet)
    if with_svg:
        for chart in charts:
            if chart.spec:
                chart.svg = to_svg(chart.spec)
        packet.forests = [ForestChart(change, to_svg(spec))
                          for change in pooled_changes if (spec := change.forest()) is not None]
    return packet


def packet_digest(packet: Packet) -> str:
    """A digest of everything the packet shows, read from the packet without its chart signals
    (`build_packet(..., with_signals=False)`) and from what the charts are computed from, so that it is known
    in a few queries, with no chart computed: any change of what the packet shows changes it. Every reader of
    the cluster reads the same packet (docs/convenings.md), so it does not depend on who asks; the version is
    in it because a new one may lay the packet out differently."""
    convening, until = packet.convening, packet.until
    schools = [section.team.school for section in packet.sections]
    state = {
        "version": __version__, "packet": packet.to_dict(), "filename": packet.filename(),
        "convening": [convening.cluster.name, convening.place, convening.notes],
        "schools": [(section.team.name, section.team.school.name) for section in packet.sections],
        "forests": [change.forest() for change in packet.pooled_changes],
        "charts": measure_services.charts_digest(list(Measure.objects.filter(current_on(until))), schools),
        # The charts mark each PDSA cycle with its change idea's title.
        "change_ideas": list(ChangeIdea.objects.order_by("pk").values_list("pk", "title")),
    }
    return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()


def packet_teams(day: datetime.date):
    """The school design teams current on the day: each has a packet of its own."""
    return (Team.objects.filter(current_on(day), kind=Team.Kind.SCHOOL_DESIGN, school__isnull=False)
            .select_related("school").order_by("name"))


def _in_window(name: str, since: datetime.date | None, until: datetime.date) -> Q:
    window = Q(**{f"{name}__lte": until})
    return window & Q(**{f"{name}__gt": since}) if since else window


def stage_on(cycle: PdsaCycle, day: datetime.date) -> str:
    """The stage a cycle had reached on a day, from the dates of its steps."""
    steps = ((cycle.decided_on, Stage.DONE), (cycle.study_closed_on, Stage.ACT),
             (cycle.study_started_on, Stage.STUDY), (cycle.do_started_on, Stage.DO))
    return next((stage for on, stage in steps if on and on <= day), Stage.PLAN)


def cycles_in_window(school_ids: list[int], since: datetime.date | None, until: datetime.date) -> list[CycleEntry]:
    """The schools' cycles with a step (planned start, Do, Study, decision) in the window."""
    steps = ("planned_start", "do_started_on", "study_started_on", "study_closed_on", "decided_on")
    in_window = Q()
    for step in steps:
        in_window |= _in_window(step, since, until)
    cycles = list(
        PdsaCycle.objects.filter(in_window, school_id__in=school_ids, planned_start__lte=until)
        .select_related("school", "team", "change_idea")
        .annotate(
            n_predictions=Count("predictions", distinct=True),
            n_confirmed=Count("predictions", filter=Q(predictions__outcome=Prediction.Outcome.CONFIRMED),
                              distinct=True),
            n_not_confirmed=Count("predictions", filter=Q(predictions__outcome=Prediction.Outcome.NOT_CONFIRMED),
                                  distinct=True),
        )
        .order_by("team__name", "planned_start", "pk")
    )
    previous_of = dict(PdsaCycle.objects.filter(school_id__in=school_ids).values_list("pk", "previous_id"))
    entries = []
    for cycle in cycles:
        stage = stage_on(cycle, until)
        # Predictions are answered in Study: before the day's Study, their outcomes did not exist yet.
        answered = stage in (Stage.ACT, Stage.DONE)
        entries.append(CycleEntry(
            cycle=cycle, stage=stage, decision=cycle.decision if stage == Stage.DONE else "",
            predictions=cycle.n_predictions, confirmed=cycle.n_confirmed if answered else 0,
            not_confirmed=cycle.n_not_confirmed if answered else 0,
            ramp_position=_ramp_position(cycle.pk, previous_of),
        ))
    return entries


def _ramp_position(pk: int, previous_of: dict[int, int | None]) -> int:
    position, seen = 1, {pk}
    while (pk := previous_of.get(pk)) is not None and pk not in seen:
        position += 1
        seen.add(pk)
    return position


def new_signals(
    schools: list[School], since: datetime.date | None, until: datetime.date
) -> tuple[list[MeasureChart], list[SignalEntry]]:
    """Each current measure charted with the schools' data up to the day: the signals all of whose
    points fall in the window, by measure; the first measures' charts have a panel per school."""
    import pandas as pd

    by_name = {school.name: school for school in schools}
    measures = sorted(Measure.objects.filter(current_on(until)), key=lambda m: (KIND_ORDER.index(m.kind), m.name))
    rows = pd.DataFrame.from_records(
        MeasureValue.objects.filter(measure__in=measures, school__in=schools, period__lte=until)
        .order_by("measure_id", "school_id", "period")
        .values_list("measure_id", "school_id", "school__name", "period", "numerator", "denominator"),
        columns=["measure_id", "school_id", "school", "period", "y", "n"],
    )
    charts, signals = [], []
    for measure in measures:
        frame = rows[rows["measure_id"] == measure.pk]
        result = _chart(measure, frame)
        if result is None:
            continue
        found = [
            SignalEntry(
                measure=measure, school=by_name[school], rule=raw["rule"], direction=raw["direction"],
                first=raw["first_x"], last=raw["last_x"], sentence=measure_services.signal_sentences([raw], measure)[0],
                better=measure_services.is_better(raw["direction"], measure),
            )
            for school, raw in _signals_in_window(result.signal_columns, since)
        ]
        if found:
            chart = MeasureChart(measure, f"{measure.name}, up to {until:%B %-d, %Y}", found)
            if len(charts) < CHARTS_PER_PACKET:
                chart.spec = _drawn_period(since, until, result.vega_lite(
                    title=chart.title, x_title="Period", y_title=measure_services.y_title(measure), width=440,
                    height=150, columns=1,
                ))
            charts.append(chart)
            signals += found
    return charts, signals


# Rules about single points: several such signals of a school read as one line ("9 points above the limits").
POINT_RULES = {"beyond_limits"}


def _signals_in_window(columns: dict, since: datetime.date | None) -> list[tuple[str, dict]]:
    """(school, signal) for each signal all of whose points come after `since`; the signals of a
    single-point rule are counted together per school and direction."""
    signals: list[tuple[str, dict]] = []
    merged: dict[tuple[str, str], dict] = {}
    for i in range(len(columns["rule"])):
        first, last = _day(columns["first_x"][i]), _day(columns["last_x"][i])
        if since and first <= since:
            continue
        school, rule, direction = str(columns["school"][i]), str(columns["rule"][i]), str(columns["direction"][i])
        raw = {"rule": rule, "direction": direction, "n_points": int(columns["n_points"][i]),
               "first_x": first, "last_x": last}
        if rule not in POINT_RULES:
            signals.append((school, raw))
        elif (school, direction) in merged:
            kept = merged[(school, direction)]
            kept["n_points"] += raw["n_points"]
            kept["first_x"], kept["last_x"] = min(kept["first_x"], first), max(kept["last_x"], last)
        else:
            merged[(school, direction)] = raw
            signals.append((school, raw))
    return signals


def _drawn_period(since: datetime.date | None, until: datetime.date, spec: dict) -> dict:
    """The chart drawn from the packet's start, or half a year before the day when that is earlier
    (its limits still come from the whole history): every new signal shows, and fewer points draw
    faster into the PDF."""
    start = until - datetime.timedelta(days=DRAWN_DAYS)
    start = min(start, since) if since else start
    spec["data"]["values"] = [point for point in spec["data"]["values"] if str(point["x"])[:10] >= start.isoformat()]
    return spec


def _chart(measure: Measure, frame: pd.DataFrame):
    """The measure's chart of each school with at least two periods of data, or None."""
    import pandas as pd

    from improvenet.spc import qic_many  # the arithmetic loads with the first chart

    frame = frame[frame.groupby("school")["school"].transform("size") >= 2]
    if frame.empty:
        return None
    frame = frame.assign(period=pd.to_datetime(frame["period"]), y=frame["y"].astype(float),
                         n=frame["n"].astype(float))
    # The same parts as the measure's pages: new limits after the shift that follows an adoption.
    school_ids = frame["school_id"].to_numpy()
    marks = measure_services.cycle_marks(measure, np.unique(school_ids).tolist())
    n = frame["n"].to_numpy() if measure.has_denominator else None
    parts, _plans = measure_services.plan_school_parts(
        measure, school_ids, frame["period"].to_numpy().astype("datetime64[D]"), frame["y"].to_numpy(), n, marks
    )
    try:
        return qic_many(frame.assign(part=parts), by="school", y="y", n="n" if measure.has_denominator else None,
                        x="period", part="part", chart=measure.chart_type, multiply=measure.multiply,
                        min_part_points=MIN_PART_POINTS)
    except SPCInputError:
        # A chart the engine cannot draw (the measure page says why) has no signals to bring.
        return None


def _day(value) -> datetime.date:
    return datetime.date.fromisoformat(str(np.datetime_as_string(np.datetime64(value, "D"))))


def awaiting_adaptations(school_ids: list[int], until: datetime.date) -> list[Adaptation]:
    """Adaptations outside the boundary made by the day and still awaiting a decision on it."""
    return list(
        Adaptation.objects.filter(outside_boundary=True, adapted_on__lte=until, enactment__school_id__in=school_ids)
        .filter(Q(status=Adaptation.Status.AWAITING) | Q(decided_at__date__gt=until))
        .select_related("enactment__school", "enactment__innovation", "element")
        .order_by("adapted_on", "pk")
    )


# Prompts for the share-out -------------------------------------------------------------------------


def _cycles_word(n: int) -> str:
    return f"{n} cycle{'s' if n != 1 else ''}"


def share_out_prompts(packet: Packet) -> list[str]:
    """Questions for the share-out, written from the packet's content, most telling first."""
    prompts: list[str] = []
    entries = [entry for section in packet.sections for entry in section.cycles]
    for entry in entries:
        cycle, school, idea = entry.cycle, _short_name(entry.cycle.school.name), entry.cycle.change_idea.title
        ramp = _cycles_word(entry.ramp_position)
        if entry.decision == Decision.ABANDON:
            prompts.append(f"{school} abandoned “{idea}” after {ramp}: what did you learn that others should know?")
        elif entry.decision == Decision.ADOPT:
            prompts.append(f"{school} adopted “{idea}” after {ramp}: what would another school need to start it?")
        elif entry.decision == Decision.ADAPT:
            prompts.append(f"{school} adapted “{idea}” after {ramp}: what did you change, and why?")
        if entry.not_confirmed:
            prompts.append(
                f"{school}: {entry.not_confirmed} of {entry.predictions} prediction"
                f"{'s' if entry.predictions != 1 else ''} of “{cycle.objective}” did not come true: "
                "what surprised you?"
            )
    if packet.team is None:
        prompts += _contrasting_decisions(entries)
    for (school, better), measures in _signalled_measures(packet.signals).items():
        names = ", ".join(measures)
        question = "what do you think caused them?" if better else "what is getting in the way?"
        direction = "towards improvement" if better else "towards getting worse"
        prompts.append(f"{school} has new chart signals {direction} in {names}: {question}")
    for adaptation in packet.adaptations:
        prompts.append(
            f"{_short_name(adaptation.enactment.school.name)} changed a core element of "
            f"{adaptation.enactment.innovation.name} (“{adaptation.element.name}”): should the shared design "
            "take the change up, or should it come back within the boundary?"
        )
    for change in packet.spread:
        if change.stage in (SpreadStage.Stage.SUSTAINED, SpreadStage.Stage.ABANDONED):
            verb = "sustains" if change.stage == SpreadStage.Stage.SUSTAINED else "stopped"
            prompts.append(f"{_short_name(change.school.name)} {verb} “{change.change_idea.title}”: "
                           "what made the difference?")
    return list(dict.fromkeys(prompts))


def _signalled_measures(signals: list[SignalEntry]) -> dict[tuple[str, bool], list[str]]:
    """The measures with new signals, per school and direction (better or worse); signals without a
    direction (too few crossings) ask no question of their own."""
    measures: dict[tuple[str, bool], list[str]] = defaultdict(list)
    for signal in signals:
        key = (_short_name(signal.school.name), signal.better)
        if signal.better is not None and signal.measure.name not in measures[key]:
            measures[key].append(signal.measure.name)
    return measures


def _contrasting_decisions(entries: list[CycleEntry]) -> list[str]:
    """A change idea adopted in one school and abandoned in another: why the difference?"""
    decisions: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for entry in entries:
        if entry.decision in (Decision.ADOPT, Decision.ABANDON):
            school = _short_name(entry.cycle.school.name)
            if school not in decisions[entry.cycle.change_idea.title][entry.decision]:
                decisions[entry.cycle.change_idea.title][entry.decision].append(school)
    return [
        f"“{idea}” was adopted at {' and '.join(by[Decision.ADOPT])} but abandoned at "
        f"{' and '.join(by[Decision.ABANDON])}: what explains the difference?"
        for idea, by in decisions.items() if by[Decision.ADOPT] and by[Decision.ABANDON]
    ]


SCHOOL_WORDS = ("Early College High School", "High School", "Middle School", "Elementary School", "Academy",
                "School")


def _short_name(name: str) -> str:
    """“Hawthorne” for “Hawthorne Early College High School”: how people say it in a meeting."""
    for words in SCHOOL_WORDS:
        if name.endswith(f" {words}"):
            return name.removesuffix(f" {words}")
    return name


def _short_school_name(name: str) -> str:
    return slugify(_short_name(name))


def _adaptation_dict(adaptation: Adaptation) -> dict:
    return {
        "id": adaptation.pk, "school_id": adaptation.enactment.school_id, "school": adaptation.enactment.school.name,
        "innovation": adaptation.enactment.innovation.name, "element": adaptation.element.name,
        "description": adaptation.description, "rationale": adaptation.rationale, "adapted_on": adaptation.adapted_on,
    }


def _spread_dict(change: SpreadStage) -> dict:
    return {
        "id": change.pk, "change_idea_id": change.change_idea_id, "change_idea": change.change_idea.title,
        "school_id": change.school_id, "school": change.school.name, "stage": change.stage,
        "started_on": change.started_on, "reason": change.reason,
    }
