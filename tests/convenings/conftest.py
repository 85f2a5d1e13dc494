"""A convening world on top of the PDSA world (tests/cycles/conftest.py): two convenings of alpha,
cycles before, between and after them, a measure that shifts between them, an adaptation outside
the boundary and a change in spread."""

import datetime
from types import SimpleNamespace

import pytest
from django_scopes import scope, scopes_disabled

from improvenet.convenings.models import Convening
from improvenet.design.models import Adaptation, Innovation, InnovationElement, SchoolEnactment
from improvenet.learning.models import SpreadStage
from improvenet.measures.models import MeasureValue
from tests.cycles import conftest as cycles_conftest
from tests.cycles.conftest import make_cycle, run_to_act
from tests.measures.conftest import make_measure, weeks

D = datetime.date
WINTER, SPRING = D(2025, 1, 29), D(2025, 4, 10)
FIRST_WEEK = D(2024, 9, 2)  # a Monday; week 22 (2025-02-03) is the first after the winter convening
SHIFT_WEEK = 22

pdsa = cycles_conftest.pdsa  # the PDSA world's fixture, used here too


def decided(pdsa, objective: str, decision: str, on: datetime.date, team=None, **fields):
    """A cycle run through the gates in January 2025 (Study closes on the 31st), decided on the day."""
    cycle = make_cycle(pdsa, team=team, predictions=2, objective=objective, **fields)
    with scope(cluster=pdsa.world.alpha):
        run_to_act(cycle)
        first = cycle.predictions.order_by("number").first()
        first.outcome = "not_confirmed"
        first.save()
        cycle.learning = f"Learning of “{objective}”."
        cycle.save()
        cycle.decide(decision, on, f"Notes on deciding “{objective}”.")
    return cycle


@pytest.fixture
def convened(pdsa):
    world = pdsa.world
    alpha = world.alpha
    with scopes_disabled():
        winter = Convening.objects.create(cluster=alpha, held_on=WINTER, title="Winter convening", place="Library")
        spring = Convening.objects.create(cluster=alpha, held_on=SPRING, title="Spring convening")
    before = make_cycle(pdsa, objective="Planned before the winter convening", planned_start=D(2024, 12, 2))
    abandoned = decided(pdsa, "Goal conferences with a tracker", "abandon", D(2025, 2, 10))
    # Studied before the spring convening, decided after it: the spring packet shows it in Act.
    later = decided(pdsa, "Goal conferences in one classroom", "adopt", D(2025, 5, 5))
    middle = decided(pdsa, "Exit tickets in the middle school", "adopt", D(2025, 2, 3), team=pdsa.middle_team)
    after = make_cycle(pdsa, objective="Planned after the spring convening", planned_start=D(2025, 4, 21))
    with scopes_disabled():
        measure = make_measure(alpha, first_period=FIRST_WEEK, last_period=None)
        rows = []
        for i, period in enumerate(weeks(32, FIRST_WEEK)):
            high = 50 + (i % 3) if i < SHIFT_WEEK else 80 + (i % 3)
            rows.append(MeasureValue(measure=measure, school=world.high, period=period, numerator=high,
                                     denominator=100))
            rows.append(MeasureValue(measure=measure, school=world.middle, period=period, numerator=50 + (i % 2) * 4,
                                     denominator=100))
        MeasureValue.objects.bulk_create(rows)
        innovation = Innovation.objects.create(cluster=alpha, name="SOAR")
        core = InnovationElement.objects.create(innovation=innovation, kind="core", name="Weekly advisory")
        enactment = SchoolEnactment.objects.create(innovation=innovation, school=world.high, started_on=D(2024, 9, 2))
        adaptation = Adaptation.objects.create(enactment=enactment, element=core, adapted_on=D(2025, 2, 14),
                                               description="Advisory meets every other week.")
        SpreadStage.objects.create(cluster=alpha, change_idea=pdsa.idea, school=world.high, stage="abandoned",
                                   started_on=D(2025, 2, 10), reason="The tracker took time from teaching.")
        SpreadStage.objects.create(cluster=alpha, change_idea=pdsa.idea, school=world.high, stage="testing",
                                   started_on=D(2024, 12, 2), reason="First cycle planned.")
    return SimpleNamespace(
        pdsa=pdsa, world=world, winter=winter, spring=spring, before=before, abandoned=abandoned, later=later,
        middle=middle, after=after, measure=measure, adaptation=adaptation,
    )


@pytest.fixture(autouse=True)
def kept_packets(tmp_path, monkeypatch):
    """Each test keeps its packets' PDFs in a var folder of its own."""
    monkeypatch.setenv("IMPROVENET_VAR_DIR", str(tmp_path / "var"))
    return tmp_path / "var" / "cache" / "packets"


@pytest.fixture
def alpha_scope(convened):
    with scope(cluster=convened.world.alpha):
        yield
