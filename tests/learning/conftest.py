"""Helpers on top of the cycles' `pdsa` world: decided cycles, a measure with weekly data."""

import datetime

from django_scopes import scope

from improvenet.cycles.models import PdsaCycle
from improvenet.measures.models import Measure, MeasureValue
from tests.cycles.conftest import make_cycle, pdsa  # noqa: F401 (`pdsa` is the fixture this folder builds on)

FIRST_WEEK = datetime.date(2024, 9, 2)  # a Monday


def decided_cycle(setup, decision: str, decided_on: datetime.date, *, team=None, outcome="confirmed", measures=(),
                  scale="classroom", notes="") -> PdsaCycle:
    """A cycle of the `pdsa` world's idea, run through every gate of the model to its decision on `decided_on`."""
    start = decided_on - datetime.timedelta(days=20)
    cycle = make_cycle(setup, team=team, predictions=1, planned_start=start, scale=scale,
                       where="One 9th-grade algebra class")
    with scope(cluster=setup.world.alpha):
        cycle.measures.set(measures)
        cycle.start_do(start)
        cycle.what_happened = "It ran."
        cycle.save()
        cycle.start_study(start + datetime.timedelta(days=14))
        for prediction in cycle.predictions.all():
            prediction.answer(outcome, "As counted on Friday.")
        cycle.learning = "We learned something."
        cycle.save()
        cycle.close_study(start + datetime.timedelta(days=16))
        cycle.decide(decision, decided_on, notes or f"Decided to {decision}.")
    return cycle


def weekly_measure(world, kind="outcome", slug="on-track") -> Measure:
    with scope(cluster=world.alpha):
        return Measure.objects.create(
            cluster=world.alpha, slug=slug, name=f"Measure {slug}", kind=kind, operational_definition="Counted.",
            numerator_label="On track", denominator_label="Enrolled", unit="%", multiply=100, frequency="weekly",
            improvement_direction="up", chart_type="p", first_period=FIRST_WEEK,
        )


def weekly_values(measure: Measure, school, rates: list[float], denominator: int = 200) -> None:
    """One value a week from FIRST_WEEK, `rates` being the share on track each week."""
    MeasureValue.objects.bulk_create([
        MeasureValue(measure=measure, school=school, period=FIRST_WEEK + datetime.timedelta(weeks=week),
                     numerator=round(rate * denominator), denominator=denominator)
        for week, rate in enumerate(rates)
    ])


def week(index: int) -> datetime.date:
    return FIRST_WEEK + datetime.timedelta(weeks=index)

