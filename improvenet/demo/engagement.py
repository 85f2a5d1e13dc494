"""Demo engagement for Riverside: the spring of 2024, before the cluster launched in August.

Riverside heard its school communities at a district-wide forum, a school board session and a family
meeting and listening session for each candidate high school, with tagged concerns and support. The
superintendent's cabinet then chose the three innovation high schools; one at-large high school was
withdrawn after its parents' objection was upheld (its candidacy cites the objection), another was not
selected. Attendance varies with the seed; everything else is fixed.
"""

import random
from collections.abc import Callable
from datetime import date, timedelta

from django.contrib.auth import get_user_model

from improvenet.demo.network import ALICE, RIVERSIDE
from improvenet.engagement.models import (
    Candidate,
    CommunityInput,
    EngagementEvent,
    Objection,
    SelectionDecision,
    Tag,
)
from improvenet.network.models import Cluster, School

Kind, Stance = EngagementEvent.Kind, CommunityInput.Stance
CONCERN, SUPPORT = Stance.CONCERN, Stance.SUPPORT

# What people said at a school community's events: (stance, summary, tags).
FAMILY_MEETING_INPUT = (
    (SUPPORT, "Parents want the ninth-grade advisory the district described, with a teacher who knows each student.",
     ("ninth-grade success", "communication with families")),
    (CONCERN, "Families asked whether their children's records would be shared with researchers and how to say no.",
     ("student privacy", "research with students")),
    (SUPPORT, "Families welcomed regular updates on what the school is trying and what it learns.",
     ("communication with families",)),
)
LISTENING_SESSION_INPUT = (
    (CONCERN, "Teachers worried that design team meetings would come on top of a full teaching load.",
     ("teacher workload",)),
    (SUPPORT, "Teachers liked testing small changes in their own classrooms before the whole school adopts them.",
     ("ninth-grade success", "teacher voice")),
    (CONCERN, "Students asked that surveys not take time from instruction.", ("research with students",)),
)
FORUM_INPUT = (
    (SUPPORT, "Community members supported a district focus on ninth graders staying on track to graduate.",
     ("ninth-grade success",)),
    (CONCERN, "Residents asked how schools would be chosen and whether every neighborhood would be treated fairly.",
     ("fair selection",)),
    (CONCERN, "Parents asked about bus routes if schedules change.", ("transportation",)),
)
BOARD_INPUT = (
    (SUPPORT, "Board members endorsed the partnership's aim and asked for a report each semester.",
     ("ninth-grade success", "communication with families")),
    (CONCERN, "A board member asked that the research agreements protect student data.", ("student privacy",)),
)
WITHDRAWN_SCHOOL_INPUT = (
    (CONCERN, "Parents said the school is already in its second year of a block schedule and of a new principal; "
              "another initiative now would be too much.", ("school schedule", "teacher workload")),
    (CONCERN, "Parents asked that the school not be chosen this year.", ("fair selection",)),
)

SPRING = date(2024, 2, 6)
DECIDED_ON = date(2024, 5, 21)


def create_engagement_demo(seed: int, report: Callable[[str], None]) -> None:
    rng = random.Random(seed)
    cluster = Cluster.objects.get(slug=RIVERSIDE)
    lead = get_user_model().objects.filter(username=ALICE).first()
    high_schools = School.objects.filter(cluster=cluster, level=School.Level.HIGH).order_by("name")
    innovation = [s for s in high_schools if s.role == School.Role.INNOVATION]
    at_large = [s for s in high_schools if s.role == School.Role.AT_LARGE]
    withdrawn, not_selected, later = at_large[0], at_large[1], at_large[2]
    candidates = [*innovation, withdrawn, not_selected]
    report(f"Recording {cluster.name}'s community engagement and the selection of {len(innovation)} schools")

    tags: dict[str, Tag] = {}

    def event(held_on, kind, title, school, said, low, high):
        record = EngagementEvent.objects.create(
            cluster=cluster, held_on=held_on, kind=kind, school=school, title=title,
            attendance=rng.randint(low, high), created_by=lead,
            notes="Notes taken by the district's family engagement office.",
        )
        for stance, summary, names in said:
            item = CommunityInput.objects.create(event=record, stance=stance, summary=summary)
            item.tags.set(tags.get(name) or tags.setdefault(name, Tag.objects.create(cluster=cluster, name=name))
                          for name in names)
        return record

    event(SPRING, Kind.FORUM, "Community forum: improving ninth grade together", None, FORUM_INPUT, 90, 160)
    event(SPRING + timedelta(days=14), Kind.BOARD_SESSION, "School board study session on the partnership", None,
          BOARD_INPUT, 25, 60)
    for i, school in enumerate(candidates):
        week = SPRING + timedelta(weeks=3 + i)
        family_input = WITHDRAWN_SCHOOL_INPUT if school == withdrawn else FAMILY_MEETING_INPUT
        event(week, Kind.FAMILY_MEETING, f"Family meeting at {school.name}", school, family_input, 20, 80)
        event(week + timedelta(days=2), Kind.LISTENING_SESSION, f"Listening session with {school.name} teachers "
              "and students", school, LISTENING_SESSION_INPUT, 12, 45)

    upheld = Objection.objects.create(
        cluster=cluster, school=withdrawn, raised_on=SPRING + timedelta(weeks=3 + candidates.index(withdrawn)),
        raised_by="Parent-teacher association",
        objection=f"{withdrawn.name} is in the middle of a new block schedule and a change of principal; the "
                  "association asks that it not become a cluster school this year.",
        status=Objection.Status.UPHELD, responded_on=date(2024, 5, 2),
        response=f"The district agrees: {withdrawn.name} is withdrawn from the candidates and may join as an "
                 "at-large school once the schedule has settled.",
    )
    Objection.objects.create(
        cluster=cluster, school=innovation[0], raised_on=SPRING + timedelta(weeks=3, days=2),
        raised_by="Teachers' union building committee",
        objection="Design team work must not add unpaid hours to teachers' days.",
        status=Objection.Status.ADDRESSED, responded_on=date(2024, 4, 18),
        response="Design team members get one release period a week, agreed with the union in the partnership "
                 "agreement.",
    )
    Objection.objects.create(
        cluster=cluster, school=later, raised_on=date(2025, 10, 7), raised_by="Student council",
        objection="Students ask to see what the research surveys will ask before the school takes part.",
    )

    decision = SelectionDecision.objects.create(
        cluster=cluster, title="Choosing Riverside's innovation high schools", created_by=lead,
        decided_on=DECIDED_ON, decided_by="Superintendent's cabinet, endorsed by the school board",
        reasons="The three schools whose communities supported the ninth-grade focus and whose teachers asked to "
                "take part; together they serve every part of the city. The others stay at-large schools that "
                "join when the innovation is ready to spread.",
    )
    for school in innovation:
        Candidate.objects.create(
            decision=decision, school=school, outcome=Candidate.Outcome.SELECTED,
            reason="Strong support at the family meeting and the listening session; teachers volunteered for the "
                   "design team.",
        )
    Candidate.objects.create(
        decision=decision, school=withdrawn, outcome=Candidate.Outcome.WITHDRAWN, objection=upheld,
        reason="Withdrawn after the parent-teacher association's objection was upheld: the school is mid-way "
               "through a new schedule and a change of principal.",
    )
    Candidate.objects.create(
        decision=decision, school=not_selected, outcome=Candidate.Outcome.NOT_SELECTED,
        reason="Supportive community, but the district can staff three innovation schools in the first year; "
               "it stays an at-large school.",
    )
    decision.status = SelectionDecision.Status.FINAL
    decision.full_clean()
    decision.save()
