import datetime

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from improvenet.measures.models import MeasureValue
from tests.measures.conftest import FIRST_WEEK, make_measure


@pytest.fixture(autouse=True)
def all_clusters():
    with scopes_disabled():
        yield


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"denominator_label": ""}, "denominator_label", "needs a denominator"),
        ({"chart_type": "c"}, "denominator_label", "charts a single value"),
        ({"last_period": FIRST_WEEK - datetime.timedelta(weeks=1)}, "last_period", "must not come before"),
        ({"first_period": datetime.date(2025, 1, 7)}, "first_period", "not a Monday"),
        ({"frequency": "monthly"}, "first_period", "not the first day of a month"),
        ({"multiply": 0}, "multiply", "above zero"),
        ({"slug": "new"}, "slug", "reserved"),
        ({"chart_type": "bar"}, "chart_type", "not a valid choice"),
    ],
)
def test_measure_rules(world, fields, field, message):
    with pytest.raises(ValidationError) as error:
        make_measure(world.alpha, **fields)
    assert message in " ".join(error.value.message_dict[field])


def test_a_rate_may_count_more_than_its_denominator(world):
    measure = make_measure(world.alpha, chart_type="u", multiply=100, unit="referrals per 100 students")
    MeasureValue(measure=measure, school=world.high, period=FIRST_WEEK, numerator=130, denominator=100).full_clean()


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"numerator": 101, "denominator": 100}, "denominator", "above the denominator"),
        ({"numerator": -1, "denominator": 100}, "numerator", "negative"),
        ({"numerator": 1, "denominator": None}, "denominator", "missing"),
        ({"period": FIRST_WEEK + datetime.timedelta(days=1)}, "period", "not a Monday"),
        ({"period": FIRST_WEEK - datetime.timedelta(weeks=1)}, "period", "before the measure's first period"),
        ({"period": FIRST_WEEK + datetime.timedelta(weeks=60)}, "period", "after the measure's last period"),
    ],
)
def test_value_rules(world, values, field, message):
    measure = make_measure(world.alpha)
    value = MeasureValue(measure=measure, school=world.high, **{"period": FIRST_WEEK, "numerator": 1,
                                                                 "denominator": 10, **values})
    with pytest.raises(ValidationError) as error:
        value.full_clean()
    assert message in " ".join(error.value.message_dict[field])


def test_a_value_of_another_clusters_school_is_refused(world):
    measure = make_measure(world.alpha)
    value = MeasureValue(measure=measure, school=world.beta_school, period=FIRST_WEEK, numerator=1, denominator=2)
    with pytest.raises(ValidationError, match="this cluster's schools"):
        value.full_clean()
