"""Demo learning: spread stages of Riverside's change ideas, and evidence across the whole range of levels.

`create_learning_demo(seed, progress)` runs after the cycles and the measure data. It adds the PDSA
cycles of one untested idea that two innovation schools tried and abandoned (so that an idea is
"not supported"), then records spread stages from the cycles: testing from a school's first cycle,
implementing from its first adoption, sustained half a year later, abandoned where a school abandoned
the idea and never adopted it. Ideas with promising or supported evidence then travel to at-large
schools (and a feeder school), while others are declined (not started) or tried and abandoned there.
Deterministic from the seed; runs inside `load_demo`'s transaction with scopes disabled.
"""

import random
from collections.abc import Callable
from datetime import date, timedelta

from improvenet.cycles.models import PdsaCycle
from improvenet.demo.network import RIVERSIDE
from improvenet.design.models import ChangeIdea
from improvenet.learning import services
from improvenet.learning.evidence import Level
from improvenet.learning.models import SpreadStage
from improvenet.network.models import Cluster, School, Team, current_on

Stage = SpreadStage.Stage
Decision = PdsaCycle.Decision

ABANDONED_TRIALS = (date(2025, 2, 3), date(2025, 3, 10))
SUSTAINED_AFTER = timedelta(days=182)
SUSTAINED_BY = date(2025, 9, 1)  # adoptions before the second school year have had time to become routine
TRAVEL_WINDOW = (date(2025, 9, 15), date(2026, 3, 30))

ABANDON_NOTES = (
    "Students listened politely but the stories did not change what they did; the advisory time is better used "
    "for goal setting.",
    "Finding upperclassmen who could come every week took more time than the change saved; we stop here.",
)
TRAVEL_REASONS = (
    "Saw it at the quarterly convening; our 9th-grade team starts with one advisory group.",
    "The district design team shared the innovation schools' cycles; we copied their first test.",
    "Our principal visited {first} and asked the grade team to try it this term.",
)
IMPLEMENT_REASON = "Two cycles went as predicted; every 9th-grade advisor now uses it."
SUSTAINED_REASON = "Still in daily use six months after adoption; it is part of the 9th-grade team's routines."
NOT_STARTED_REASONS = (
    "Discussed at the spring convening; we wait until the innovation schools have finished testing it.",
    "Our staff has two other changes under way this year; we will look at it again in the fall.",
)
ABANDONED_ELSEWHERE = "Tried it for six weeks; without an advisory period in our schedule it did not fit."


def create_learning_demo(seed: int, progress: Callable[[str], None]) -> None:
    rng = random.Random(f"{seed}-learning")
    cluster = Cluster.objects.get(slug=RIVERSIDE)
    schools = list(School.objects.filter(cluster=cluster).filter(current_on()).order_by("name"))
    innovation = [s for s in schools if s.role == School.Role.INNOVATION]
    at_large = [s for s in schools if s.role == School.Role.AT_LARGE]
    feeders = [s for s in schools if s.role == School.Role.FEEDER and s.level == School.Level.MIDDLE]
    ideas = list(ChangeIdea.objects.filter(cluster=cluster).filter(current_on()).order_by("pk"))
    _abandoned_idea(rng, cluster, innovation, ideas)
    records = _stages_from_cycles(cluster)
    evidence = {e.idea.pk: e.level for e in services.evidence_index(cluster)}
    records += _travel(rng, cluster, ideas, evidence, records, at_large, feeders)
    progress(f"Recording {len(records)} spread stages of Riverside's change ideas")
    SpreadStage.objects.bulk_create(records)


def _abandoned_idea(rng: random.Random, cluster: Cluster, schools: list[School], ideas: list[ChangeIdea]) -> None:
    """Two innovation schools try an untested idea and abandon it; at least one idea stays untested."""
    tested = set(PdsaCycle.objects.filter(cluster=cluster).values_list("change_idea_id", flat=True))
    untested = [idea for idea in ideas if idea.pk not in tested]
    if len(untested) < 2 or len(schools) < 2:
        return
    idea = rng.choice(untested)
    for school, start, notes in zip(rng.sample(schools, 2), ABANDONED_TRIALS, ABANDON_NOTES, strict=True):
        team = Team.objects.filter(current_on(), kind=Team.Kind.SCHOOL_DESIGN, school=school).order_by("pk").first()
        if team is None:
            continue
        cycle = PdsaCycle.objects.create(
            cluster=cluster, school=school, team=team, change_idea=idea, planned_start=start,
            planned_end=start + timedelta(days=13), objective=f"Try “{idea.title}” with one advisory group for two "
            "weeks.", who="Two advisors of the school design team", where="One advisory group of 9th graders",
            scale=PdsaCycle.Scale.STUDENT_GROUP,
        )
        cycle.add_prediction("At least 9 of 12 students name one thing they will do differently.",
                             "Count in the exit slips: 9 or more.")
        cycle.start_do(start)
        cycle.what_happened = "The sessions ran twice a week; students were attentive but few changed their plans."
        cycle.save()
        cycle.start_study(start + timedelta(days=14))
        for prediction in cycle.predictions.all():
            prediction.answer("not_confirmed", f"{rng.randint(3, 6)} of 12: fewer than predicted.")
        cycle.learning = "The change took advisory time and students did not act on it."
        cycle.save()
        cycle.close_study(start + timedelta(days=16))
        cycle.decide(Decision.ABANDON, start + timedelta(days=17), notes)


def _stages_from_cycles(cluster: Cluster) -> list[SpreadStage]:
    """Each innovation school's stages of each idea it tested, from its cycles' dates and decisions."""
    records = []
    cycles = PdsaCycle.objects.filter(cluster=cluster).order_by("change_idea_id", "school_id", "planned_start", "pk")
    by_pair: dict[tuple[int, int], list[PdsaCycle]] = {}
    for cycle in cycles:
        by_pair.setdefault((cycle.change_idea_id, cycle.school_id), []).append(cycle)
    for (idea_id, school_id), own in by_pair.items():
        first = own[0]

        def stage(stage: str, on: date, reason: str, idea_id=idea_id, school_id=school_id) -> SpreadStage:
            return SpreadStage(cluster=cluster, change_idea_id=idea_id, school_id=school_id, stage=stage,
                               started_on=on, reason=reason)

        started = first.do_started_on or first.planned_start
        records.append(stage(Stage.TESTING, started, f"First PDSA cycle: {first.objective}"))
        adoption = next((c for c in own if c.decision == Decision.ADOPT and c.decided_on), None)
        if adoption is not None:
            records.append(stage(Stage.IMPLEMENTING, adoption.decided_on,
                                 f"Adopted after {own.index(adoption) + 1} cycle(s): {adoption.decision_notes}"))
            if adoption.decided_on < SUSTAINED_BY:
                records.append(stage(Stage.SUSTAINED, adoption.decided_on + SUSTAINED_AFTER, SUSTAINED_REASON))
            continue
        abandonment = next((c for c in own if c.decision == Decision.ABANDON and c.decided_on), None)
        if abandonment is not None:
            records.append(stage(Stage.ABANDONED, abandonment.decided_on, abandonment.decision_notes))
    return records


def _travel(rng: random.Random, cluster: Cluster, ideas: list[ChangeIdea], evidence: dict[int, Level],
            records: list[SpreadStage], at_large: list[School], feeders: list[School]) -> list[SpreadStage]:
    """Promising and supported ideas travel to at-large schools; some ideas are declined or dropped there."""
    first_school = {}
    for record in sorted(records, key=lambda r: r.started_on):
        first_school.setdefault(record.change_idea_id, record.school_id)
    names = {s.pk: s.name for s in School.objects.filter(cluster=cluster)}
    span = (TRAVEL_WINDOW[1] - TRAVEL_WINDOW[0]).days
    travel = []
    declined = 0
    for idea in ideas:
        level = evidence.get(idea.pk)
        if level in (Level.SUPPORTED, Level.PROMISING) and at_large:
            count = min(len(at_large), 3 if level == Level.SUPPORTED else 1)
            targets = rng.sample(at_large, count)
            if level == Level.SUPPORTED and feeders:
                targets.append(rng.choice(feeders))
            for index, school in enumerate(targets):
                start = TRAVEL_WINDOW[0] + timedelta(days=rng.randrange(0, span, 7))
                reason = rng.choice(TRAVEL_REASONS).format(first=names.get(first_school.get(idea.pk), "Riverside"))
                travel.append(SpreadStage(cluster=cluster, change_idea=idea, school=school, stage=Stage.TESTING,
                                          started_on=start, reason=reason))
                later = start + timedelta(days=rng.choice((49, 63, 77)))
                if index == 0:
                    travel.append(SpreadStage(cluster=cluster, change_idea=idea, school=school,
                                              stage=Stage.IMPLEMENTING, started_on=later, reason=IMPLEMENT_REASON))
                elif index == count - 1 and level == Level.PROMISING:
                    travel.append(SpreadStage(cluster=cluster, change_idea=idea, school=school,
                                              stage=Stage.ABANDONED, started_on=later, reason=ABANDONED_ELSEWHERE))
        elif level == Level.BEING_TESTED and at_large and declined < len(NOT_STARTED_REASONS):
            travel.append(SpreadStage(
                cluster=cluster, change_idea=idea, school=rng.choice(at_large), stage=Stage.NOT_STARTED,
                started_on=date(2026, 4, 20) + timedelta(days=7 * declined), reason=NOT_STARTED_REASONS[declined],
            ))
            declined += 1
    return travel
