"""An engagement world on top of the shared `world`: alpha's two schools heard at three events, one
district-wide, with tagged concerns and support, an upheld objection at the middle school and a draft
selection decision with both schools as candidates."""

import datetime
from types import SimpleNamespace

import pytest
from django_scopes import scope, scopes_disabled

from improvenet.engagement.models import (
    Candidate,
    CommunityInput,
    EngagementEvent,
    Objection,
    SelectionDecision,
    Tag,
)
from improvenet.network.models import School

D = datetime.date


def said(event, stance, summary, *tags):
    item = CommunityInput.objects.create(event=event, stance=stance, summary=summary)
    item.tags.set(tags)
    return item


@pytest.fixture
def heard(world):
    alpha = world.alpha
    with scopes_disabled():
        workload = Tag.objects.create(cluster=alpha, name="teacher workload")
        privacy = Tag.objects.create(cluster=alpha, name="student privacy")
        advisory = Tag.objects.create(cluster=alpha, name="advisory")
        forum = EngagementEvent.objects.create(cluster=alpha, held_on=D(2024, 2, 6), kind="forum", title="Forum",
                                               attendance=120)
        family = EngagementEvent.objects.create(cluster=alpha, held_on=D(2024, 3, 1), kind="family_meeting",
                                                school=world.high, title="Family meeting at Alpha High",
                                                attendance=40)
        listening = EngagementEvent.objects.create(cluster=alpha, held_on=D(2024, 3, 8), kind="listening_session",
                                                   school=world.middle, title="Listening at Alpha Middle",
                                                   attendance=15)
        said(forum, "support", "A district focus on ninth grade.", advisory)
        said(family, "support", "Advisory for every ninth grader.", advisory)
        said(family, "concern", "Who sees student records?", privacy)
        said(family, "concern", "Surveys and workload.", privacy, workload)
        said(listening, "concern", "Meetings on top of teaching.", workload)
        objection = Objection.objects.create(
            cluster=alpha, school=world.middle, raised_on=D(2024, 3, 8), raised_by="Parent-teacher association",
            objection="Not this year.", status="upheld", response="Withdrawn.", responded_on=D(2024, 4, 2))
        decision = SelectionDecision.objects.create(cluster=alpha, title="Choosing the innovation schools")
        high = Candidate.objects.create(decision=decision, school=world.high)
        middle = Candidate.objects.create(decision=decision, school=world.middle)
        beta_event = EngagementEvent.objects.create(cluster=world.beta, held_on=D(2024, 3, 1), kind="forum",
                                                    school=world.beta_school, title="Beta forum", attendance=9)
    return SimpleNamespace(
        world=world, forum=forum, family=family, listening=listening, objection=objection, decision=decision,
        high=high, middle=middle, tags=SimpleNamespace(workload=workload, privacy=privacy, advisory=advisory),
        beta_event=beta_event,
    )


@pytest.fixture
def alpha_scope(heard):
    with scope(cluster=heard.world.alpha):
        yield


def other_school(world) -> School:
    with scopes_disabled():
        return School.objects.create(cluster=world.alpha, name="Alpha Elementary", level="elementary",
                                     role="feeder", lowest_grade=0, highest_grade=5, feeds_into=world.high)
