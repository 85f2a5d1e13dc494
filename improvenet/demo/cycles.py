"""The demo's PDSA cycles: about 60 cycles of Riverside's three innovation high schools over two school years.

`create_cycles_demo(seed, progress)` plans everything with one `random.Random(seed)` and fixed calendar
dates, then runs each cycle through the model's own steps (`start_do`, `start_study`, `close_study`,
`decide`), so the demo obeys the same quality gates as a school team. Cycles chain into ramps that grow
the scale of the test (a student group, a classroom, a teacher, a grade team, the school); some ramps are
adopted, some adapted, some abandoned; in the second year some schools start from another school's cycle
(`copied_from`); a few predictions are edited after Do started (kept as edits); the last cycles of spring
2026 are still open, so every column of a team's board has cycles. It runs inside `load_demo`'s
transaction with scopes disabled, after the design demo (change ideas) and the measures' definitions;
without change ideas it adds its own.
"""

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model

from improvenet.cycles.models import PdsaCycle, Prediction, PredictionEdit
from improvenet.demo.network import BOB, RIVERSIDE
from improvenet.design.models import ChangeIdea
from improvenet.network.models import Cluster, School, Team, current_on

Stage = PdsaCycle.Stage
Decision = PdsaCycle.Decision
Scale = PdsaCycle.Scale

# The two school years: cycles start in these windows (school design teams formed on 2024-10-01).
YEARS = ((date(2024, 10, 7), date(2025, 5, 19)), (date(2025, 9, 8), date(2026, 5, 25)))
RAMPS_PER_SCHOOL_YEAR = 4
# The last open ramp of each school stops at one of these stages: the boards show work in progress.
OPEN_STAGES = (Stage.PLAN, Stage.DO, Stage.STUDY, Stage.ACT)

# Used only when the design demo has no change ideas (yet).
FALLBACK_CHANGE_IDEAS = (
    ("Weekly goal-setting conferences", "Each student sets one academic goal a week with an adult and checks it."),
    ("Growth-mindset advisory lessons", "Short advisory lessons on how ability grows with effort and strategy."),
    ("School-wide problem-solving steps", "The same four problem-solving steps, posted and used in every class."),
    ("Exit tickets with a next step", "Students end class by writing what they will do next when they are stuck."),
    ("Student-led grade check-ins", "Students read their own grades and plan to recover missing work."),
    ("Peer tutoring in 9th-grade mathematics", "Trained 11th graders tutor 9th graders twice a week."),
)

SCALE_RAMP = (Scale.STUDENT_GROUP, Scale.CLASSROOM, Scale.TEACHER, Scale.GRADE_TEAM, Scale.SCHOOL)
WHERE = {
    Scale.STUDENT_GROUP: "One advisory group of 9th graders",
    Scale.CLASSROOM: "One 9th-grade {subject} class",
    Scale.TEACHER: "All of one teacher's {subject} sections",
    Scale.GRADE_TEAM: "The 9th-grade team's classes",
    Scale.SCHOOL: "Every 9th-grade class in the school",
}
SUBJECTS = ("biology", "algebra", "English", "world history")
STUDENTS = {Scale.STUDENT_GROUP: 12, Scale.CLASSROOM: 28, Scale.TEACHER: 110, Scale.GRADE_TEAM: 240,
            Scale.SCHOOL: 420}
BEHAVIOURS = (
    ("write a goal for the week", "goal sheets collected on Friday"),
    ("name their next step when stuck", "the exit tickets"),
    ("turn in the week's assignments on time", "the grade book on Friday"),
    ("use the problem-solving steps without a reminder", "the teacher's tally during class"),
    ("check their own grades in the portal", "the portal's log-in report"),
    ("say the work is challenging but doable", "the two-question survey at the end of the week"),
)
REASONS = (
    "Two students moved to another section in the first week, so the count changed.",
    "We miscounted the class roster when we wrote the prediction.",
    "The survey question was reworded by the district; the prediction now uses its wording.",
)
LEARNINGS = {
    Decision.ADOPT: "The change worked as predicted at this scale; students used it without reminders by week two.",
    Decision.ADAPT: "It helped, but not as planned: students needed a sentence starter and more time on Mondays.",
    Decision.ABANDON: "The change took time from instruction and students did not use it; the data did not move.",
}
NOTES = {
    Decision.ADOPT: "Keep it as it is and test it at a larger scale.",
    Decision.ADAPT: "Keep the core of the change; add a sentence starter and move it to the start of class.",
    Decision.ABANDON: "Stop this change; bring what we learned to the quarterly meeting of the school teams.",
}


@dataclass
class RampPlan:
    school: School
    team: Team
    idea: ChangeIdea
    start: date
    length: int
    ending: str  # the last cycle's decision, or a stage when the ramp is still open
    subject: str
    first_scale: int
    copy_from_school: bool = False
    cycles: list[PdsaCycle] = field(default_factory=list)


def create_cycles_demo(seed: int, progress: Callable[[str], None]) -> None:
    rng = random.Random(seed)
    cluster = Cluster.objects.get(slug=RIVERSIDE)
    schools = list(School.objects.filter(cluster=cluster, level=School.Level.HIGH, role=School.Role.INNOVATION)
                   .order_by("pk"))
    teams = {t.school_id: t for t in Team.objects.filter(cluster=cluster, kind=Team.Kind.SCHOOL_DESIGN,
                                                           school__in=schools).filter(current_on()).order_by("pk")}
    schools = [s for s in schools if s.pk in teams]
    ideas = _change_ideas(cluster)
    measures = _measures(cluster)
    bob = get_user_model().objects.filter(username=BOB).first()
    bob_school = teams_of(bob, teams)
    ramps = _plan_ramps(rng, schools, teams, ideas)
    progress(f"Creating about {sum(r.length for r in ramps)} PDSA cycles in {len(schools)} innovation schools")
    done: list[PdsaCycle] = []
    for ramp in sorted(ramps, key=lambda r: (r.start, r.school.pk)):
        user = bob if ramp.school.pk == bob_school else None
        _run_ramp(rng, ramp, measures, user, done)
        done += ramp.cycles
    _showcase_edits(rng, [c for c in done if c.school_id == bob_school], bob)


def teams_of(user, teams: dict[int, Team]) -> int | None:
    if user is None:
        return None
    for school_id, team in teams.items():
        if team.memberships.filter(current_on(), person__user=user).exists():
            return school_id
    return None


def _change_ideas(cluster: Cluster) -> list[ChangeIdea]:
    ideas = list(ChangeIdea.objects.filter(cluster=cluster).filter(current_on()).order_by("pk"))
    if ideas:
        return ideas
    return [ChangeIdea.objects.create(cluster=cluster, title=title, description=description)
            for title, description in FALLBACK_CHANGE_IDEAS]


def _measures(cluster: Cluster) -> list:
    from improvenet.measures.models import Measure

    measures = list(Measure.objects.filter(cluster=cluster).filter(current_on()).order_by("pk"))
    preferred = [m for m in measures if m.kind in (Measure.Kind.PROCESS, Measure.Kind.OUTCOME)]
    return preferred or measures


def _plan_ramps(rng: random.Random, schools: list[School], teams: dict[int, Team],
                ideas: list[ChangeIdea]) -> list[RampPlan]:
    ramps = []
    for year, (first_start, last_start) in enumerate(YEARS):
        for school in schools:
            span = (last_start - first_start).days
            starts = sorted(first_start + timedelta(days=rng.randrange(0, span - 90, 7))
                            for _ in range(RAMPS_PER_SCHOOL_YEAR))
            for index, start in enumerate(starts):
                length = rng.choice((1, 2, 2, 3, 3, 4)) if year == 0 else rng.choice((1, 2, 2, 3))
                ending = rng.choices((Decision.ADOPT, Decision.ADAPT, Decision.ABANDON), (5, 2, 3))[0]
                if year == 1 and index == len(starts) - 1:
                    ending = "open"
                ramps.append(RampPlan(
                    school=school, team=teams[school.pk], idea=rng.choice(ideas), start=start, length=length,
                    ending=ending, subject=rng.choice(SUBJECTS), first_scale=rng.choice((0, 0, 1)),
                    copy_from_school=year == 1 and rng.random() < 0.5,
                ))
    # Each school's open ramp stops at a different stage, so every board column has work in it.
    open_ramps = [r for r in ramps if r.ending == "open"]
    for index, ramp in enumerate(open_ramps):
        ramp.ending = OPEN_STAGES[index % len(OPEN_STAGES)]
    if open_ramps:  # the first school's board shows every stage: give it one open ramp per stage
        first = open_ramps[0]
        extra_starts = (date(2026, 4, 13), date(2026, 4, 27), date(2026, 5, 4))
        for stage, start in zip(OPEN_STAGES[1:], extra_starts, strict=True):
            ramps.append(RampPlan(school=first.school, team=first.team, idea=rng.choice(ideas), start=start,
                                  length=1, ending=stage, subject=rng.choice(SUBJECTS), first_scale=0))
    return ramps


def _run_ramp(rng: random.Random, ramp: RampPlan, measures: list, user, done: list[PdsaCycle]) -> None:
    start = ramp.start
    previous = None
    for step in range(ramp.length):
        scale = SCALE_RAMP[min(ramp.first_scale + step, len(SCALE_RAMP) - 1)]
        last = step == ramp.length - 1
        if previous is None:
            cycle = _first_cycle(rng, ramp, scale, start, user, done)
        else:
            cycle = previous.next_cycle
        _fill_plan(rng, ramp, cycle, scale, measures, user, copied=bool(cycle.copied_from_id))
        ramp.cycles.append(cycle)
        open_stage = ramp.ending if last and ramp.ending in Stage.values else None
        if last:
            decision = ramp.ending if ramp.ending in Decision.values else None
        else:
            decision = rng.choice((Decision.ADOPT, Decision.ADAPT, Decision.ADAPT))
        start = _run_cycle(rng, ramp, cycle, open_stage, decision, has_next=not last, user=user)
        previous = cycle


def _first_cycle(rng, ramp: RampPlan, scale, start: date, user, done: list[PdsaCycle]) -> PdsaCycle:
    if ramp.copy_from_school:
        sources = [c for c in done if c.school_id != ramp.school.pk and c.stage == Stage.DONE
                   and c.decision != Decision.ABANDON and c.decided_on < start]
        if sources:
            source = rng.choice(sources[-12:])
            ramp.idea = source.change_idea
            return source.copy_to(ramp.team, user, start)
    where = WHERE[scale].format(subject=ramp.subject)
    return PdsaCycle.objects.create(
        cluster_id=ramp.school.cluster_id, school=ramp.school, team=ramp.team, change_idea=ramp.idea,
        objective=f"Try “{ramp.idea.title}” with {where[0].lower()}{where[1:]} for two weeks.",
        planned_start=start, created_by=user,
    )


def _fill_plan(rng, ramp: RampPlan, cycle: PdsaCycle, scale, measures: list, user, copied: bool) -> None:
    where = WHERE[scale].format(subject=ramp.subject)
    if cycle.previous_id:
        cycle.objective = f"Test “{ramp.idea.title}” at a larger scale: {where[0].lower()}{where[1:]}."
    cycle.questions = (
        "Do students use the change without reminders? How much class time does it take? "
        "Does it work for students who are behind?"
    )
    cycle.who = "The school design team's teachers, with the assistant principal observing"
    cycle.where = where
    cycle.scale = scale
    cycle.planned_end = cycle.planned_start + timedelta(days=13)
    cycle.data_to_collect = "A tally of students each week, collected by the teacher on Friday, plus two short " \
                            "student interviews."
    cycle.full_clean()
    cycle.save()
    if measures:
        cycle.measures.set(rng.sample(measures, min(len(measures), rng.choice((1, 2)))))
    if copied and cycle.predictions.exists():
        return
    students = STUDENTS[scale]
    for behaviour, source in rng.sample(BEHAVIOURS, rng.choice((1, 2, 2, 3))):
        share = rng.choice((0.6, 0.7, 0.75, 0.8))
        cycle.add_prediction(
            f"At least {round(students * share)} of {students} students {behaviour}.",
            f"Count in {source}: {round(students * share)} or more.", user,
        )


def _run_cycle(rng, ramp: RampPlan, cycle: PdsaCycle, open_stage, decision, *, has_next: bool, user) -> date:
    """Run the cycle through its stages with fixed dates; return when the next cycle may start."""
    if open_stage == Stage.PLAN:
        return cycle.planned_start
    do_on = cycle.planned_start + timedelta(days=rng.choice((0, 0, 1, 2)))
    cycle.start_do(do_on)
    if rng.random() < 0.12:
        _edit_a_prediction(rng, cycle, do_on, user)
    cycle.what_happened = (
        f"The test ran for two weeks in {cycle.where.lower()}. Two sessions were lost to testing days."
    )
    cycle.observations = "Students who were behind asked for the steps to be posted in the room."
    cycle.data_collected = "Weekly tallies in the team's shared folder; notes from four student interviews."
    cycle.save()
    if open_stage == Stage.DO:
        return do_on
    study_on = do_on + timedelta(days=14)
    cycle.start_study(study_on)
    outcome_weights = {
        Decision.ADOPT: (8, 1, 1), Decision.ADAPT: (4, 3, 2), Decision.ABANDON: (1, 6, 2), None: (4, 3, 2),
    }[decision]
    for prediction in cycle.predictions.all():
        outcome = rng.choices(Prediction.Outcome.values, outcome_weights)[0]
        prediction.answer(outcome, _what_happened(rng, prediction, outcome), user)
    cycle.learning = LEARNINGS[decision or Decision.ADAPT]
    cycle.save()
    if open_stage == Stage.STUDY:
        return study_on
    closed_on = study_on + timedelta(days=rng.choice((2, 3, 4)))
    cycle.close_study(closed_on)
    if open_stage == Stage.ACT:
        return closed_on
    decided_on = closed_on + timedelta(days=rng.choice((1, 2, 3)))
    cycle.decide(
        decision, decided_on, NOTES[decision],
        next_objective="(planned at the decision)" if has_next else "",
        next_planned_start=decided_on + timedelta(days=7), user=user,
    )
    return decided_on + timedelta(days=7)


def _what_happened(rng, prediction: Prediction, outcome: str) -> str:
    words = prediction.text.split()
    predicted, total = int(words[2]), int(words[4])
    if outcome == Prediction.Outcome.CONFIRMED:
        seen = min(total, predicted + rng.randint(0, max(1, total // 10)))
        return f"{seen} of {total}: more than predicted."
    if outcome == Prediction.Outcome.NOT_CONFIRMED:
        seen = max(0, predicted - rng.randint(2, max(3, total // 5)))
        return f"{seen} of {total}: fewer than predicted."
    return f"We could count only part of the {total} students: the tally was not kept on two days."


def _edit_a_prediction(rng, cycle: PdsaCycle, do_on: date, user) -> None:
    prediction = rng.choice(list(cycle.predictions.all()))
    words = prediction.text.split()
    lowered = max(1, int(words[2]) - rng.randint(1, 3))
    text = " ".join([*words[:2], str(lowered), *words[3:]])
    edit = prediction.edit(text, prediction.confirm_criterion.replace(words[2], str(lowered)), user,
                           rng.choice(REASONS))
    PredictionEdit.objects.filter(pk=edit.pk).update(edited_by=user, edited_at=_noon(do_on + timedelta(days=3)))


def _showcase_edits(rng, cycles: list[PdsaCycle], user) -> None:
    """Bob's school has at least one cycle with three predictions, two of them edited after Do started."""
    candidates = [c for c in cycles if c.stage == Stage.DONE and c.predictions.count() == 3 and not c.copied_from_id]
    if not candidates:
        return
    cycle = candidates[0]
    for prediction, reason in zip(cycle.predictions.all()[:2], REASONS, strict=False):
        if prediction.edits.exists():
            continue
        PredictionEdit.objects.create(
            prediction=prediction, edited_by=user, edited_at=_noon(cycle.do_started_on + timedelta(days=2)),
            stage=Stage.DO, reason=reason, text_before=_raised(prediction.text),
            criterion_before=_raised(prediction.confirm_criterion), text_after=prediction.text,
            criterion_after=prediction.confirm_criterion,
        )


def _raised(text: str) -> str:
    """The same prediction with its first count two higher: what the team wrote before the edit."""
    return re.sub(r"\d+", lambda number: str(int(number.group()) + 2), text, count=1)


def _noon(day: date):
    from datetime import datetime, time

    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, time(12)))
