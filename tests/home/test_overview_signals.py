"""The overview's measures with new signals are kept between requests and computed afresh after any change
to what the charts read."""

import datetime

from django.core.cache import cache
from django_scopes import scope

from improvenet.home import overview
from improvenet.measures import services as measure_services
from improvenet.measures.models import ChartBreak, MeasureValue
from tests.measures.conftest import measured  # noqa: F401 (the fixture)


def test_kept_until_a_value_a_break_or_a_school_changes(measured, monkeypatch):  # noqa: F811
    cache.clear()
    computed = []
    chart = measure_services.cluster_chart
    monkeypatch.setattr(measure_services, "cluster_chart", lambda *a: computed.append(a[0].slug) or chart(*a))
    alpha = measured.world.alpha
    with scope(cluster=alpha):
        first = overview.measures_with_new_signals(alpha)
        assert [(item["measure"].slug, item["schools"]) for item in first] == [("on-track", ["Alpha High"])]
        charts_per_reading = len(computed)
        assert overview.measures_with_new_signals(alpha) == first and len(computed) == charts_per_reading

        last = MeasureValue.objects.filter(measure=measured.measure, school=measured.world.high).last()
        last.numerator = 10
        last.save()
        overview.measures_with_new_signals(alpha)
        assert len(computed) == 2 * charts_per_reading, "a value saved"

        # A change that skips the model's save (and its updated_at) is seen too.
        MeasureValue.objects.filter(pk=last.pk).update(numerator=12)
        overview.measures_with_new_signals(alpha)
        assert len(computed) == 3 * charts_per_reading, "a value updated in bulk"

        ChartBreak.objects.create(measure=measured.measure, school=measured.world.high,
                                  starts_on=datetime.date(2025, 3, 31), reason="New schedule")
        overview.measures_with_new_signals(alpha)
        assert len(computed) == 4 * charts_per_reading, "a break set by hand"

        measured.world.high.name = "Alpha High School"
        measured.world.high.save()
        renamed = overview.measures_with_new_signals(alpha)
        assert len(computed) == 5 * charts_per_reading and renamed[0]["schools"] == ["Alpha High School"]
