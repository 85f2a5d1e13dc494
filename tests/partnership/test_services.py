"""Saving self-assessments, rubric versions and the health report, on the real database."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from improvenet.lib.errors import Conflict
from improvenet.measures.models import MeasureValue
from improvenet.partnership import health as ph
from improvenet.partnership import services
from improvenet.partnership.models import Rating, Round, Rubric, SelfAssessment
from improvenet.spc.vega import to_svg
from tests.measures.conftest import make_measure
from tests.partnership.conftest import D, ratings


def assess(partners, organization, round_=None, **levels) -> SelfAssessment:
    assessment = SelfAssessment(round=round_ or partners.fall, organization=organization)
    return services.save_assessment(assessment, ratings(**levels))


def test_the_default_rubric_is_saved_as_version_1_with_the_first_assessment(in_alpha):
    assert Rubric.current_for(in_alpha.world.alpha).pk is None
    assessment = assess(in_alpha, in_alpha.district, ci=2)
    rubric = Rubric.objects.get()
    assert (rubric.version, assessment.rubric) == (1, rubric)
    assert rubric.as_rubric() == ph.DEFAULT_RUBRIC
    assert sorted(assessment.ratings.values_list("dimension", "level"))[1] == ("continuous_improvement", "developing")


def test_a_rating_without_evidence_names_the_dimension_and_saves_nothing(in_alpha):
    bad = ratings() | {"equity": ("developing", "  ")}
    with pytest.raises(ValidationError) as error:
        services.save_assessment(SelfAssessment(round=in_alpha.fall, organization=in_alpha.union), bad)
    assert "Equity without evidence" in error.value.message_dict["ratings.equity"][0]
    assert list(error.value.message_dict) == ["ratings.equity"]
    assert not SelfAssessment.objects.exists() and not Rating.objects.exists()


def test_unknown_levels_an_empty_assessment_and_schools_are_refused(in_alpha):
    with pytest.raises(ValidationError) as error:
        services.save_assessment(SelfAssessment(round=in_alpha.fall, organization=in_alpha.world.high),
                                 {"equity": ("excellent", "Data.")})
    problems = error.value.message_dict
    assert "not one of its levels (beginning, developing, established, sustaining)" in problems["ratings.equity"][0]
    assert problems["organization"] == ["The organization must be one of this cluster's partner organizations."]
    with pytest.raises(ValidationError) as error:
        services.save_assessment(SelfAssessment(round=in_alpha.fall, organization=in_alpha.union), {})
    assert "rates no dimension" in error.value.message_dict["ratings"][0]


def test_a_second_assessment_of_the_same_round_is_a_conflict(in_alpha):
    assess(in_alpha, in_alpha.union)
    with pytest.raises(Conflict, match="Alpha Teachers Union already has a self-assessment in this round"):
        assess(in_alpha, in_alpha.union)
    assert SelfAssessment.objects.count() == 1


def test_changing_an_assessment_replaces_its_ratings_and_keeps_its_rubric_version(in_alpha):
    assessment = assess(in_alpha, in_alpha.union, equity=1)
    newer = Rubric.objects.get().next_version()
    newer.full_clean()
    newer.save()
    services.save_assessment(assessment, {"equity": ("established", "Family listening sessions.")})
    assessment.refresh_from_db()
    assert assessment.rubric.version == 1
    assert list(assessment.ratings.values_list("dimension", "level")) == [("equity", "established")]


def test_rounds_are_numbered_in_date_order(in_alpha):
    earlier = Round.objects.create(cluster=in_alpha.world.alpha, held_on=D(2024, 5, 1), title="Pilot")
    assert (earlier.number, in_alpha.fall.number, in_alpha.spring.number) == (1, 2, 3)


def test_an_invalid_rubric_lists_every_problem_in_words(in_alpha):
    rubric = Rubric.current_for(in_alpha.world.alpha)
    rubric.dimensions = [{"key": "a", "label": "Trust", "question": "", "levels": [
        {"key": "low", "label": "Low", "descriptor": ""}]}]
    with pytest.raises(ValidationError) as error:
        rubric.full_clean()
    assert error.value.message_dict["dimensions"] == [
        "Trust has 1 level; a dimension needs at least 2.", "Level 1 of Trust has no descriptor."]
    rubric.dimensions = {"not": "a list"}
    with pytest.raises(ValidationError, match="must be a list"):
        rubric.full_clean()


def test_the_report_shows_trends_medians_and_gaps(in_alpha):
    assess(in_alpha, in_alpha.district, in_alpha.fall, ci=1, equity=3)
    assess(in_alpha, in_alpha.union, in_alpha.fall, ci=1, equity=1)
    assess(in_alpha, in_alpha.district, in_alpha.spring, ci=3, equity=3)
    assess(in_alpha, in_alpha.union, in_alpha.spring, ci=2, equity=2)
    report = services.health_report(in_alpha.world.alpha)
    ci = next(t for t in report.health.trends if t.dimension == "continuous_improvement")
    assert [m.median for m in ci.median] == [1, 2.5]
    assert ci.summary.endswith("from beginning in round 1 to between developing and established in round 2 (up 1.5 "
                               "levels).")
    assert [(g.round, g.dimension, g.spread) for g in report.health.gaps] == [(1, "equity", 2)]
    dimension = report.lib_rubric.dimension("equity")
    assert [(name, [p.level for p in points]) for name, points in report.table(dimension)] == [
        ("Alpha Teachers Union", [1, 2]), ("Alpha USD", [3, 3])]
    spec = services.ratings_spec(report, dimension)
    assert {v["who"] for v in spec["data"]["values"]} == {"Alpha Teachers Union", "Alpha USD", services.MEDIAN}
    # Both specs compile and draw (vl-convert, as the browser's Vega-Lite would).
    assert "Median of partners" in to_svg(spec)
    assert "Capacity building" in to_svg(services.medians_spec(report))


def test_the_lead_s_gap_threshold_decides_what_is_a_gap(in_alpha):
    assess(in_alpha, in_alpha.district, ci=2)
    assess(in_alpha, in_alpha.union, ci=1)
    assert services.health_report(in_alpha.world.alpha).health.gaps == ()
    newer = Rubric.objects.get().next_version()
    newer.gap_threshold = 1
    newer.save()
    assert [g.dimension for g in services.health_report(in_alpha.world.alpha).health.gaps] == ["continuous_improvement"]


def test_ratings_that_no_longer_fit_the_current_rubric_are_left_out_in_words(in_alpha):
    assess(in_alpha, in_alpha.district, ci=2)
    newer = Rubric.objects.get().next_version()
    newer.dimensions = [d for d in newer.dimensions if d["key"] != "equity"]
    newer.full_clean()
    newer.save()
    report = services.health_report(in_alpha.world.alpha)
    assert [t.dimension for t in report.health.trends] == ["continuous_improvement", "coordination",
                                                          "capacity_building"]
    assert report.left_out == ["Alpha USD's rating of “equity” in round 1 (made with version 1 of the rubric) does "
                               "not fit the current rubric and is left out."]


def test_outcome_measures_are_pooled_over_all_schools_at_each_round(in_alpha):
    world = in_alpha.world
    with scopes_disabled():
        measure = make_measure(world.alpha, first_period=D(2024, 9, 2), last_period=None)
        for week in range(30):
            period = D(2024, 9, 2) + datetime.timedelta(weeks=week)
            MeasureValue.objects.create(measure=measure, school=world.high, period=period, numerator=30,
                                        denominator=100)
            MeasureValue.objects.create(measure=measure, school=world.middle, period=period, numerator=50 + week,
                                        denominator=100)
    report = services.health_report(world.alpha)
    [chart] = services.outcome_charts(report)
    # Fall round (Oct 7, week 5): (30 + 55) / 200; spring (Mar 3, 2025 is week 26): (30 + 76) / 200.
    assert [value for _, value in chart.at_rounds] == [pytest.approx(42.5), pytest.approx(53.0)]
    assert chart.spec["title"] == "9th graders on track, all schools"
    marks = [layer for layer in chart.spec.get("layer", []) if "Round 1" in str(layer)]
    assert marks, "the rounds are marked on the outcome chart"


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(levels=st.lists(st.integers(1, 4), min_size=2, max_size=2))
def test_a_gap_appears_exactly_when_two_partners_differ_by_the_threshold(in_alpha, levels):
    SelfAssessment.objects.filter(round=in_alpha.fall).delete()
    assess(in_alpha, in_alpha.district, ci=levels[0])
    assess(in_alpha, in_alpha.union, ci=levels[1])
    gaps = [g for g in services.health_report(in_alpha.world.alpha).health.gaps if g.dimension ==
            "continuous_improvement"]
    assert bool(gaps) == (abs(levels[0] - levels[1]) >= ph.DEFAULT_GAP_THRESHOLD)
