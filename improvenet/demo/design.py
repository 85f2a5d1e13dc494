"""The demo's shared design for Riverside: a design challenge on student ownership and responsibility,
its aim, a driver diagram saved in two versions by the district design team, the SOAR innovation
with core and adaptable elements, and its enactment in the three innovation high schools, where one
adaptation falls outside the boundary and waits for the design team's decision.

Assumes the network demo exists (improvenet.demo.network). Everything is fixed text and fixed
dates; the seed only decides the days the schools started, so the same seed gives the same demo.
"""

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth import get_user_model

from improvenet.demo.network import BOB, CAROL, RIVERSIDE
from improvenet.design import driver_graph as dg
from improvenet.design.models import (
    Adaptation,
    Aim,
    ChangeIdea,
    DesignChallenge,
    Innovation,
    InnovationElement,
    SchoolEnactment,
)
from improvenet.network.models import Cluster, School, Team

CHALLENGE_TITLE = "Student ownership and responsibility for learning"
AIM_STATEMENT = "From 62% to 75% of 9th graders on track to graduate by June 2027"
INNOVATION_NAME = "SOAR: Student Ownership and Responsibility"

FISHBONE = (
    ("Students", "Many 9th graders believe ability is fixed and stop trying after a low grade."),
    ("Students", "Students rarely ask for help until they are already failing."),
    ("Students", "Students have no routine for getting unstuck on hard work."),
    ("Instruction", "Assignments ask students to recall more than to reason."),
    ("Instruction", "Grades give a score but not a next step."),
    ("School systems", "No one adult follows each 9th grader's grades and attendance."),
    ("School systems", "Ninth grade teams have no common planning time to look at data."),
    ("Families and community", "Families learn about failing grades only at the end of the term."),
)

PRIMARY_DRIVERS = (
    "Students believe they can grow and succeed",
    "Students have the skills to take charge of their learning",
    "The school presses and supports every student",
)
(P_MINDSET, P_SKILLS, P_PRESS) = PRIMARY_DRIVERS

SECONDARY_DRIVERS = (
    "Students understand that ability grows with effort and good strategies",
    "Students feel they belong in challenging classes",
    "Students use a shared problem-solving process when they are stuck",
    "Students set goals and track their own progress",
    "Students know where to get help",
    "Teachers hold high expectations and give feedback that moves thinking forward",
    "Every 9th grader has an adult who follows their progress",
    "Families know how their student is doing and how to help",
)
(S_GROWTH, S_BELONG, S_PROBLEM, S_GOALS, S_HELP, S_EXPECT, S_ADULT, S_FAMILY) = SECONDARY_DRIVERS
S_HELP_REWORDED = "Students seek help before they fall behind"

CHANGE_IDEAS = (
    "Growth mindset lessons in advisory",
    "Teachers praise strategies and effort, not smartness",
    "Revise and resubmit for major assignments",
    "Upperclassmen share how they turned a hard year around",
    "Open enrollment in honors courses with support",
    "Problem-solving steps posted and modeled in every classroom",
    "Stuck cards: students plan what to try next",
    "Weekly goal setting in advisory with a progress tracker",
    "Student-led conferences each semester",
    "Help-seeking routine: three resources, then office hours",
    "Feedback with a next step on every graded assignment",
    "On-track data meetings every three weeks for 9th grade teams",
    "Advisor check-ins with off-track students",
    "Peer tutoring at lunch",
    "Family text updates on grades and attendance",
)
(C_LESSONS, C_PRAISE, C_REVISE, C_STORIES, C_HONORS, C_STEPS, C_STUCK, C_GOALS, C_CONFERENCES, C_HELP,
 C_FEEDBACK, C_ONTRACK, C_CHECKINS, C_TUTORING, C_TEXTS) = CHANGE_IDEAS

# The second version added peer tutoring and family texts and reworded the help-seeking driver.
_VERSION_1 = {
    P_MINDSET: {S_GROWTH: [C_LESSONS, C_PRAISE, C_REVISE], S_BELONG: [C_STORIES, C_HONORS]},
    P_SKILLS: {S_PROBLEM: [C_STEPS, C_STUCK], S_GOALS: [C_GOALS, C_CONFERENCES], S_HELP: [C_HELP]},
    P_PRESS: {S_EXPECT: [C_FEEDBACK, C_PRAISE, C_REVISE], S_ADULT: [C_ONTRACK, C_CHECKINS], S_FAMILY: [C_CONFERENCES]},
}
_VERSION_2 = {
    P_MINDSET: {S_GROWTH: [C_LESSONS, C_PRAISE, C_REVISE], S_BELONG: [C_STORIES, C_HONORS]},
    P_SKILLS: {S_PROBLEM: [C_STEPS, C_STUCK], S_GOALS: [C_GOALS, C_CONFERENCES],
               S_HELP_REWORDED: [C_HELP, C_TUTORING]},
    P_PRESS: {S_EXPECT: [C_FEEDBACK, C_PRAISE, C_REVISE], S_ADULT: [C_ONTRACK, C_CHECKINS],
              S_FAMILY: [C_CONFERENCES, C_TEXTS]},
}
VERSION_NOTES = (
    "First theory of improvement, from the fall design sessions and the case study of Riverside's "
    "higher-performing high schools.",
    "After the first PDSA cycles in the three innovation schools: added peer tutoring at lunch and family "
    "text updates; reworded the help-seeking driver after student focus groups said students know where "
    "help is but wait too long to ask.",
)
VERSION_SAVED_AT = (datetime(2024, 11, 12, 21, 30, tzinfo=UTC), datetime(2025, 2, 4, 22, 15, tzinfo=UTC))

INNOVATION_CHANGE_IDEAS = (C_LESSONS, C_PRAISE, C_STEPS, C_STUCK, C_GOALS, C_FEEDBACK, C_ONTRACK, C_CHECKINS)
CORE_ELEMENTS = (
    ("Growth mindset lessons", "Every 9th grader takes the six growth mindset lessons in the first semester.",
     C_LESSONS),
    ("Shared problem-solving process", "The same four problem-solving steps are taught and posted in every "
                                       "9th grade classroom.", C_STEPS),
    ("On-track monitoring", "Ninth grade teams review on-track data every three weeks and act on it.", C_ONTRACK),
)
ADAPTABLE_ELEMENTS = (
    ("Timing and format of the lessons", "When and where the lessons are taught: advisory, homeroom or a core "
                                         "class.", None),
    ("Wording of the problem-solving steps", "The words and posters the school uses for the four steps.", C_STUCK),
    ("Goal-setting tools", "Paper trackers, the learning platform or planners.", C_GOALS),
    ("Who checks in with off-track students", "An advisor, a counselor or a mentor teacher.", C_CHECKINS),
)
OUTSIDE_BOUNDARY_WORDING = "On-track data meetings every six weeks at grade-level meetings"


def _outline(tree: dict) -> str:
    lines = []
    for primary, secondaries in tree.items():
        lines.append(primary)
        for secondary, ideas in secondaries.items():
            lines.append(f"  {secondary}")
            lines += [f"    {idea}" for idea in ideas]
    return "\n".join(lines)


def create_design_demo(seed: int, progress: Callable[[str], None]) -> None:
    """Create Riverside's shared design (run with scopes disabled, inside the demo's transaction)."""
    rng = random.Random(f"design-{seed}")
    cluster = Cluster.objects.get(slug=RIVERSIDE)
    if DesignChallenge.objects.filter(cluster=cluster, title=CHALLENGE_TITLE).exists():
        progress("Riverside's shared design is already there")
        return
    users = get_user_model().objects.in_bulk([CAROL], field_name="username")
    carol = users[CAROL]
    progress("Creating Riverside's design challenge, aim and driver diagram")
    challenge = DesignChallenge(
        cluster=cluster,
        title=CHALLENGE_TITLE,
        problem_of_practice=(
            "Too many 9th graders do not take ownership of their learning: they give up after setbacks, wait too "
            "long to ask for help and fall off track to graduate in their first year of high school."
        ),
        evidence=(
            "Only 62% of 9th graders ended 2023–24 on track (at most one semester F in a core course and 90% "
            "attendance). The case study of Riverside's higher-performing high schools found that they build "
            "student ownership and responsibility through academic press and support; the lower-performing ones "
            "did not."
        ),
        people_affected="9th graders in the three innovation high schools, their teachers, advisors and families.",
    )
    challenge.fishbone = [{"category": category, "cause": cause} for category, cause in FISHBONE]
    challenge.full_clean()
    challenge.save()
    aim = Aim(
        challenge=challenge, statement=AIM_STATEMENT, measure="on track to graduate at the end of 9th grade",
        population="9th graders", baseline=62, target=75, unit="%", target_date=date(2027, 6, 30),
    )
    aim.full_clean()
    aim.save()
    diagram = aim.diagram()
    for tree, note, saved_at in zip((_VERSION_1, _VERSION_2), VERSION_NOTES, VERSION_SAVED_AT, strict=True):
        diagram.save_version(dg.parse_outline(_outline(tree)), user=carol, note=note, saved_at=saved_at)
    ideas = {idea.title: idea for idea in ChangeIdea.objects.filter(cluster=cluster)}

    progress("Creating the SOAR innovation and its enactment in the innovation high schools")
    innovation = Innovation(
        cluster=cluster, name=INNOVATION_NAME, aim=aim,
        description=(
            "Builds 9th graders' ownership of their learning through a growth mindset and a school-wide "
            "problem-solving process, with on-track monitoring so no student slips unnoticed."
        ),
    )
    innovation.change_idea_ids = [ideas[title].pk for title in INNOVATION_CHANGE_IDEAS]
    innovation.full_clean()
    innovation.save()
    elements = {}
    for kind, specs in ((InnovationElement.Kind.CORE, CORE_ELEMENTS),
                        (InnovationElement.Kind.ADAPTABLE, ADAPTABLE_ELEMENTS)):
        for name, description, idea in specs:
            element = InnovationElement(innovation=innovation, kind=kind, name=name, description=description,
                                        change_idea=ideas.get(idea))
            element.full_clean()
            element.save()
            elements[name] = element

    schools = _innovation_schools(cluster)
    adaptations = (
        ("Timing and format of the lessons", "Teaches the lessons in English 9 instead of advisory.",
         "Advisory meets only twice a month here, too seldom for six lessons in a semester.", "", date(2025, 2, 10)),
        ("Wording of the problem-solving steps", "Calls the steps “Stop, Think, Try, Ask” to match the school's "
         "behavior expectations.", "Students already know this language from the school's PBIS posters.", "",
         date(2025, 3, 3)),
        ("On-track monitoring", "Reviews on-track data every six weeks instead of every three, at the existing "
         "grade-level meetings.", "The master schedule gives 9th grade teams no common planning time; meetings "
         "every three weeks kept being cancelled.", OUTSIDE_BOUNDARY_WORDING, date(2025, 10, 6)),
    )
    for school, (element, description, rationale, wording, adapted_on) in zip(schools, adaptations, strict=True):
        enactment = SchoolEnactment(
            innovation=innovation, school=school, started_on=date(2025, 1, 6) + timedelta(days=rng.randrange(0, 8)),
            notes=f"The {school} design team adapts and tests SOAR with its 9th grade teachers.",
        )
        enactment.full_clean()
        enactment.save()
        adaptation = Adaptation(enactment=enactment, element=elements[element], description=description,
                                rationale=rationale, proposed_wording=wording, adapted_on=adapted_on)
        adaptation.full_clean()
        adaptation.save()


def _innovation_schools(cluster: Cluster) -> list[School]:
    """The three innovation high schools, bob's school first (the one whose team he is on)."""
    schools = list(School.objects.filter(cluster=cluster, level=School.Level.HIGH, role=School.Role.INNOVATION)
                   .order_by("name"))
    bobs = Team.objects.filter(cluster=cluster, kind=Team.Kind.SCHOOL_DESIGN,
                               memberships__person__user__username=BOB).values_list("school_id", flat=True).first()
    return sorted(schools, key=lambda school: school.pk != bobs)
