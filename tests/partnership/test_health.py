"""Partnership health in improvenet.partnership.health: rubric and assessment checks, trends, gaps, properties."""

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from improvenet.partnership.health import (
    DEFAULT_RUBRIC,
    Assessment,
    Dimension,
    Level,
    Rating,
    Rubric,
    RubricError,
    health_report,
    rating_gaps,
    trends,
    validate_assessment,
    validate_assessments,
    validate_rubric,
)

LEVELS = ("beginning", "developing", "established", "sustaining")
DISTRICT, UNIVERSITY, COMMUNITY = "Riverside District", "State University", "Eastside Families United"


def assessment(organization: str, round_: int, **levels: str) -> Assessment:
    ratings = tuple(Rating(key, level, f"{organization} notes on {key}") for key, level in levels.items())
    return Assessment(round_, date(2025, 3 * round_, 1), organization, ratings)


def refused(check, *args) -> list[str]:
    with pytest.raises(RubricError) as caught:
        check(*args)
    return caught.value.problems


# The rubric -----------------------------------------------------------------------------------------


def test_the_default_rubric_has_four_dimensions_of_four_levels_and_is_valid():
    validate_rubric(DEFAULT_RUBRIC)
    assert [d.label for d in DEFAULT_RUBRIC.dimensions] == [
        "Continuous improvement", "Equity", "Coordination", "Capacity building",
    ]
    for dimension in DEFAULT_RUBRIC.dimensions:
        assert tuple(level.key for level in dimension.levels) == LEVELS
        assert all(len(level.descriptor) > 40 for level in dimension.levels)
        assert dimension.question.endswith("?")


def test_a_broken_rubric_is_refused_with_every_problem():
    rubric = Rubric("Health", (
        Dimension("equity", "Equity", "?", (Level("only", "Only", "The one level."),)),
        Dimension("equity", "", "?", (Level("a", "A", " "), Level("a", "", "Fine."))),
    ))
    assert refused(validate_rubric, rubric) == [
        "Dimension key 'equity' is used 2 times; each dimension needs its own key.",
        "Equity has 1 level; a dimension needs at least 2.",
        "Dimension 'equity' has no label.",
        "Dimension 'equity' uses the level key 'a' 2 times.",
        "Level 1 of Dimension 'equity' has no descriptor.",
        "Level 2 of Dimension 'equity' has no label.",
    ]
    assert refused(validate_rubric, Rubric("Empty", ())) == ["The rubric has no dimensions."]


# Assessments ----------------------------------------------------------------------------------------


def test_a_rating_without_evidence_is_refused_naming_the_dimension():
    bare = Assessment(2, date(2025, 6, 1), DISTRICT, (Rating("equity", "developing", "  "),))
    assert refused(validate_assessment, bare, DEFAULT_RUBRIC) == [
        "Riverside District's round 2 assessment rates Equity without evidence: say what shows the partnership "
        "is at this level.",
    ]


def test_unknown_dimensions_and_levels_and_repeats_are_refused():
    bad = Assessment(1, date(2025, 3, 1), DISTRICT, (
        Rating("equty", "developing", "Notes."),
        Rating("equity", "expert", "Notes."),
        Rating("equity", "beginning", "Notes."),
    ))
    assert refused(validate_assessment, bad, DEFAULT_RUBRIC) == [
        "Riverside District's round 1 assessment rates Equity 2 times; rate each dimension once.",
        "Riverside District's round 1 assessment rates 'equty', which is not a dimension of Partnership health.",
        "Riverside District's round 1 assessment rates Equity 'expert', which is not one of its levels "
        "(beginning, developing, established, sustaining).",
    ]


def test_an_assessment_needs_an_organization_a_round_and_a_rating():
    assert refused(validate_assessment, Assessment(0, date(2025, 1, 1), " ", ()), DEFAULT_RUBRIC) == [
        "The round 0 assessment names no organization.",
        "The round 0 assessment has round 0; rounds are numbered from 1.",
        "The round 0 assessment rates no dimension.",
    ]


def test_an_organization_assesses_each_round_once():
    twice = [assessment(DISTRICT, 1, equity="developing"), assessment(DISTRICT, 1, coordination="beginning")]
    assert refused(validate_assessments, twice, DEFAULT_RUBRIC) == [
        "Riverside District has more than one assessment in round 1; each organization assesses each round once.",
    ]
    with pytest.raises(RubricError):
        trends(DEFAULT_RUBRIC, twice)


def test_a_valid_assessment_may_leave_dimensions_unrated():
    validate_assessment(assessment(DISTRICT, 1, equity="developing"), DEFAULT_RUBRIC)


# Trends ---------------------------------------------------------------------------------------------

ROUNDS = [
    assessment(DISTRICT, 1, equity="developing", coordination="established"),
    assessment(UNIVERSITY, 1, equity="beginning", coordination="established"),
    assessment(COMMUNITY, 1, equity="beginning"),
    assessment(DISTRICT, 2, equity="sustaining", coordination="established"),
    assessment(UNIVERSITY, 2, equity="developing", coordination="sustaining"),
    assessment(COMMUNITY, 2, equity="beginning"),
    assessment(DISTRICT, 3, equity="sustaining", coordination="sustaining"),
    assessment(UNIVERSITY, 3, equity="established", coordination="sustaining"),
]


def test_trends_follow_each_organization_and_the_median_over_rounds():
    by_key = {t.dimension: t for t in trends(DEFAULT_RUBRIC, ROUNDS)}
    equity = by_key["equity"]
    assert [t.organization for t in equity.by_organization] == [COMMUNITY, DISTRICT, UNIVERSITY]
    district = equity.by_organization[1]
    assert [(p.round, p.level, p.label) for p in district.points] == [
        (1, 2, "Developing"), (2, 4, "Sustaining"), (3, 4, "Sustaining"),
    ]
    assert district.points[0].on == date(2025, 3, 1)
    assert district.summary == (
        "Riverside District rated Equity developing in round 1 and sustaining in round 3 (up 2 levels)."
    )
    assert equity.by_organization[0].summary == (
        "Eastside Families United rated Equity beginning in round 1 and beginning in round 2 (no change)."
    )
    assert [(m.round, m.median, m.organizations, m.label) for m in equity.median] == [
        (1, 1, 3, "Beginning"), (2, 2, 3, "Developing"), (3, 3.5, 2, "Between established and sustaining"),
    ]
    assert equity.summary == (
        "Across partners, the median rating of Equity went from beginning in round 1 to between established and "
        "sustaining in round 3 (up 2.5 levels)."
    )
    assert by_key["capacity_building"].by_organization == ()
    assert by_key["capacity_building"].summary == "No partner has rated Capacity building yet."


def test_trends_do_not_depend_on_the_order_assessments_arrive_in():
    assert trends(DEFAULT_RUBRIC, list(reversed(ROUNDS))) == trends(DEFAULT_RUBRIC, ROUNDS)


def test_a_single_round_is_described_without_a_change():
    (equity,) = [t for t in trends(DEFAULT_RUBRIC, ROUNDS[:1]) if t.dimension == "equity"]
    assert equity.by_organization[0].summary == "Riverside District rated Equity developing (level 2 of 4) in round 1."
    assert equity.summary == "Across partners, the median rating of Equity in round 1 is developing."


# Gaps -----------------------------------------------------------------------------------------------


def test_gaps_of_two_levels_name_who_rated_what():
    gaps = rating_gaps(DEFAULT_RUBRIC, ROUNDS)
    assert [(g.round, g.dimension, g.spread) for g in gaps] == [(2, "equity", 3)]
    (gap,) = gaps
    assert [(r.organization, r.level, r.label) for r in gap.ratings] == [
        (DISTRICT, 4, "Sustaining"), (UNIVERSITY, 2, "Developing"), (COMMUNITY, 1, "Beginning"),
    ]
    assert gap.ratings[0].evidence == "Riverside District notes on equity"
    assert gap.summary == (
        "In round 2, partners' ratings of Equity differ by 3 levels: Riverside District rated it sustaining "
        "(level 4 of 4); State University rated it developing (level 2 of 4); Eastside Families United rated it "
        "beginning (level 1 of 4)."
    )


def test_the_gap_threshold_is_configurable():
    one_level = rating_gaps(DEFAULT_RUBRIC, ROUNDS, threshold=1)
    assert [(g.round, g.dimension, g.spread) for g in one_level] == [
        (1, "equity", 1), (2, "equity", 3), (2, "coordination", 1), (3, "equity", 1),
    ]
    assert rating_gaps(DEFAULT_RUBRIC, ROUNDS, threshold=4) == ()
    assert refused(rating_gaps, DEFAULT_RUBRIC, ROUNDS, 0) == [
        "The gap threshold is a number of levels, at least 1; it is 0.",
    ]


def test_the_health_report_puts_it_in_words():
    report = health_report(DEFAULT_RUBRIC, ROUNDS)
    assert report.summary[0] == "3 partner organizations assessed the partnership in 3 rounds."
    assert report.summary[-1] == (
        "1 rating gap of 2 or more levels between partners; talk them through before the next round."
    )
    assert len(report.trends) == 4
    calm = health_report(DEFAULT_RUBRIC, ROUNDS[:2])
    assert calm.summary[-1] == "No partners' ratings differ by 2 or more levels in any round."


def test_the_governance_doc_describes_the_default_rubric():
    text = (Path(__file__).resolve().parents[2] / "docs" / "governance.md").read_text()
    for dimension in DEFAULT_RUBRIC.dimensions:
        assert f"#### {dimension.label}\n\n{dimension.question}" in text, dimension.label
        for level in dimension.levels:
            assert level.descriptor in text, level.descriptor
    assert "2 or more levels" in text


# Properties -----------------------------------------------------------------------------------------

KEYS = [d.key for d in DEFAULT_RUBRIC.dimensions]
ORGANIZATIONS = ["A", "B", "C", "D"]

assessments_strategy = st.lists(
    st.builds(
        lambda organization, round_, levels: assessment(organization, round_, **levels),
        st.sampled_from(ORGANIZATIONS), st.integers(1, 4),
        st.dictionaries(st.sampled_from(KEYS), st.sampled_from(LEVELS), min_size=1),
    ),
    max_size=12, unique_by=lambda a: (a.organization, a.round),
)


@given(assessments_strategy)
def test_the_median_lies_between_the_lowest_and_highest_rating_of_its_round(assessments):
    for trend in trends(DEFAULT_RUBRIC, assessments):
        for point in trend.median:
            levels = [p.level for t in trend.by_organization for p in t.points if p.round == point.round]
            assert min(levels) <= point.median <= max(levels)
            assert point.organizations == len(levels)


@given(assessments_strategy, st.integers(1, 3))
def test_a_gap_is_reported_exactly_when_ratings_differ_by_the_threshold(assessments, threshold):
    gaps = {(g.round, g.dimension): g for g in rating_gaps(DEFAULT_RUBRIC, assessments, threshold)}
    for trend in trends(DEFAULT_RUBRIC, assessments):
        for round_ in {a.round for a in assessments}:
            levels = [p.level for t in trend.by_organization for p in t.points if p.round == round_]
            spread = max(levels) - min(levels) if levels else 0
            assert ((round_, trend.dimension) in gaps) == (spread >= threshold)
    higher = rating_gaps(DEFAULT_RUBRIC, assessments, threshold + 1)
    assert {(g.round, g.dimension) for g in higher} <= set(gaps)


@given(assessments_strategy, st.randoms(use_true_random=False))
def test_reports_do_not_depend_on_assessment_order(assessments, random):
    shuffled = list(assessments)
    random.shuffle(shuffled)
    assert health_report(DEFAULT_RUBRIC, shuffled) == health_report(DEFAULT_RUBRIC, assessments)


@given(st.lists(st.text("abc ", min_size=0, max_size=3), min_size=0, max_size=4))
def test_a_rubric_is_valid_exactly_when_its_keys_are_unique_and_its_levels_are_complete(descriptors):
    levels = tuple(Level(f"l{i}", f"Level {i}", text) for i, text in enumerate(descriptors))
    rubric = Rubric("R", (Dimension("d", "D", "?", levels),))
    valid = len(levels) >= 2 and all(text.strip() for text in descriptors)
    if valid:
        validate_rubric(rubric)
    else:
        assert refused(validate_rubric, rubric)


def test_level_keys_are_matched_exactly():
    rating = Rating("equity", "sustaining", "Board minutes, March.")
    validate_assessment(Assessment(1, date(2025, 1, 1), DISTRICT, (rating,)), DEFAULT_RUBRIC)
    wrong = replace(rating, level="Sustaining")
    assert refused(validate_assessment, Assessment(1, date(2025, 1, 1), DISTRICT, (wrong,)), DEFAULT_RUBRIC)
