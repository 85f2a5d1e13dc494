"""Demo teacher induction for Riverside: two cohorts (2024 and 2025) in the three innovation high schools.

Mentors are teachers of those schools in premium roles; each cohort has a two-year plan of milestones,
its teachers' progress and mentoring logs; the 2024 cohort finished in June 2026 and part of it was placed
elsewhere in the district. The district's other new teachers of 2023 to 2025 (staff references only) are
the comparison group. Sizes are chosen so the outcomes show curves and some suppressed cells.
"""

import random
from collections.abc import Callable
from datetime import date, timedelta

from improvenet.demo.names import FAMILY_NAMES, GIVEN_NAMES
from improvenet.demo.network import RIVERSIDE
from improvenet.induction.models import Cohort, Induction, Log, Mentor, Milestone, NewTeacher, Placement, Progress
from improvenet.network.models import Cluster, Person, School

# (name, hired on, induction starts on, teachers, of whom left the district, of whom placed elsewhere)
COHORTS = (
    ("2024 cohort", date(2024, 8, 12), date(2024, 8, 19), 24, 3, 11),
    ("2025 cohort", date(2025, 8, 11), date(2025, 8, 18), 12, 1, 0),
)
# Other new teachers of the district by hire year: (hired on, teachers, of whom left).
OTHERS = ((date(2023, 8, 14), 20, 7), (date(2024, 8, 12), 34, 11), (date(2025, 8, 11), 30, 5))
OTHER_SCHOOLS = ("Jefferson Elementary School", "Lincoln Middle School", "Oak Park High School",
                 "Westside Elementary School", "Harbor View Middle School")
PLACED_ON = date(2026, 8, 17)
PLACEMENT_SCHOOLS = ("Lincoln Middle School", "Oak Park High School", "Harbor View Middle School")
# (title, year, due month)
PLAN = (
    ("Orientation week with the mentor", 1, 1),
    ("First observation cycle: observe the mentor, be observed, debrief", 1, 3),
    ("Unit plan reviewed with the mentor", 1, 6),
    ("Year-one reflection and goals", 1, 10),
    ("Lead a cycle of inquiry with the school team", 2, 4),
    ("Portfolio and exit conversation", 2, 10),
)
# Progress, logs and departures are recorded up to the demo's spring 2026.
RECORDED_UNTIL = date(2026, 6, 12)
LOG_NOTES = {
    Log.Kind.MENTORING: "Planned next week's lessons; talked through classroom routines.",
    Log.Kind.OBSERVATION: "Observed a full lesson; noted the pacing of the opening and student talk.",
    Log.Kind.DEBRIEF: "Debriefed the observation; agreed on one change to try.",
    Log.Kind.CO_TEACHING: "Co-taught the lab period.",
}


def create_induction_demo(seed: int, report: Callable[[str], None]) -> None:
    rng = random.Random(f"{seed}-induction")
    cluster = Cluster.objects.get(slug=RIVERSIDE)
    schools = list(School.objects.filter(cluster=cluster, role=School.Role.INNOVATION).order_by("name"))
    report(f"Inducting two cohorts of new teachers in {len(schools)} cluster schools, with mentors and outcomes")
    mentors = []
    for school in schools:
        teachers = Person.objects.filter(cluster=cluster, home_organization=school, title__icontains="teacher")
        person = teachers.order_by("pk").first() or Person.objects.filter(home_organization=school).first()
        mentors.append(Mentor(cluster=cluster, person=person, school=school, started_on=date(2024, 7, 1),
                              role_title="Master teacher, mentor of new teachers"))
    Mentor.objects.bulk_create(mentors)
    teachers, inductions, fates = [], [], []
    reference = iter(range(1001, 10_000))
    for name, hired_on, starts_on, size, leaving, placed in COHORTS:
        cohort = Cohort.objects.create(cluster=cluster, name=name, starts_on=starts_on,
                                       notes="Two-year induction in the cluster's innovation high schools.")
        Milestone.objects.bulk_create(Milestone(cluster=cluster, cohort=cohort, title=title, year=year,
                                                due_month=month) for title, year, month in PLAN)
        for index in range(size):
            school = schools[index % len(schools)]
            left_on = None
            if index < leaving:
                left_on = min(starts_on + timedelta(days=rng.randint(300, 700)), RECORDED_UNTIL)
            teachers.append(NewTeacher(cluster=cluster, staff_ref=f"RSD-T{next(reference)}", hired_on=hired_on,
                                       first_school=school, left_on=left_on))
            inductions.append((cohort, school, mentors[index % len(mentors)], starts_on))
            fates.append(leaving <= index < leaving + placed)
    others = []
    for hired_on, size, leaving in OTHERS:
        for index in range(size):
            left_on = min(hired_on + timedelta(days=rng.randint(200, 600)), RECORDED_UNTIL) if index < leaving else None
            others.append(NewTeacher(cluster=cluster, staff_ref=f"RSD-T{next(reference)}", hired_on=hired_on,
                                     other_school=OTHER_SCHOOLS[index % len(OTHER_SCHOOLS)], left_on=left_on))
    NewTeacher.objects.bulk_create(teachers + others)
    people = Person.objects.bulk_create(
        Person(cluster=cluster, given_name=rng.choice(GIVEN_NAMES), family_name=rng.choice(FAMILY_NAMES),
               title="Teacher", home_organization=school)
        for _, school, _, _ in inductions
    )
    records = Induction.objects.bulk_create(
        Induction(cluster=cluster, new_teacher=teacher, person=person, cohort=cohort, school=school, mentor=mentor,
                  started_on=starts_on,
                  completed_on=cohort.ends_on - timedelta(days=70) if teacher.left_on is None
                  and cohort.ends_on - timedelta(days=70) <= RECORDED_UNTIL else None)
        for teacher, person, (cohort, school, mentor, starts_on) in zip(teachers, people, inductions, strict=True)
    )
    _plans_and_logs(cluster, rng, records)
    Placement.objects.bulk_create(
        Placement(cluster=cluster, induction=record, school_name=PLACEMENT_SCHOOLS[i % len(PLACEMENT_SCHOOLS)],
                  placed_on=PLACED_ON, notes="Placed after the induction, as the cluster's design intends.")
        for i, (record, placed) in enumerate(zip(records, fates, strict=True)) if placed
    )


def _plans_and_logs(cluster: Cluster, rng: random.Random, records: list[Induction]) -> None:
    milestones = {}
    for milestone in Milestone.objects.filter(cluster=cluster).select_related("cohort"):
        milestones.setdefault(milestone.cohort_id, []).append(milestone)
    progress, logs = [], []
    for record in records:
        until = min(RECORDED_UNTIL, record.new_teacher.left_on or RECORDED_UNTIL)
        for milestone in milestones[record.cohort_id]:
            done_on = milestone.due_on + timedelta(days=rng.randint(-10, 25))
            if done_on <= until and rng.random() < 0.9:
                progress.append(Progress(cluster=cluster, induction=record, milestone=milestone, completed_on=done_on))
        day = record.started_on + timedelta(days=rng.randint(3, 10))
        kinds = (Log.Kind.MENTORING, Log.Kind.OBSERVATION, Log.Kind.DEBRIEF, Log.Kind.CO_TEACHING)
        while day <= until:
            kind = kinds[len(logs) % len(kinds)]
            logs.append(Log(cluster=cluster, induction=record, mentor=record.mentor, held_on=day, kind=kind,
                            minutes=rng.choice((30, 45, 50, 60)), notes=LOG_NOTES[kind]))
            day += timedelta(days=rng.randint(40, 75))
    Progress.objects.bulk_create(progress)
    Log.objects.bulk_create(logs)
