"""The evidence rules of improvenet.learning.evidence: each level at its boundaries, and properties over all facts."""

from dataclasses import replace
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from improvenet.learning.evidence import MIN_POINTS_WATCHED, IdeaFacts, Level, SchoolFacts, Thresholds, evaluate

DEFAULT = Thresholds()


def school(name: str, cycles: int = 1, confirmed: int = 0, adopted=False, abandoned=False, points=0, signal=False):
    return SchoolFacts(name, cycles, confirmed, adopted, abandoned, points, signal)


def level(*schools, thresholds=DEFAULT) -> Level:
    return evaluate(IdeaFacts(tuple(schools)), thresholds).level


def test_no_cycles_is_untested():
    evidence = evaluate(IdeaFacts(()), DEFAULT)
    assert evidence.level == Level.UNTESTED
    assert evidence.reasons == ["No PDSA cycle has tested this change idea yet."]
    assert level(school("A", cycles=0)) == Level.UNTESTED


def test_a_cycle_without_decisions_is_being_tested_and_says_what_promising_needs():
    evidence = evaluate(IdeaFacts((school("A", cycles=2, confirmed=1),)), DEFAULT)
    assert evidence.level == Level.BEING_TESTED
    assert evidence.reasons[0] == "Tested in 2 cycles in 1 school."
    assert "Adopted in 0 schools; promising needs 2." in evidence.reasons
    assert "1 cycle had at least one confirmed prediction; promising needs 3." in evidence.reasons


def test_promising_at_its_boundaries():
    two_adopted = (school("A", 2, 2, adopted=True), school("B", 1, 1, adopted=True))
    assert level(*two_adopted) == Level.PROMISING
    evidence = evaluate(IdeaFacts(two_adopted), DEFAULT)
    assert "Adopted in 2 schools (A, B); promising needs 2." in evidence.reasons
    assert "3 cycles had at least one confirmed prediction; promising needs 3." in evidence.reasons
    # One confirmed cycle fewer, or one adopting school fewer: only being tested.
    assert level(school("A", 2, 1, adopted=True), school("B", 1, 1, adopted=True)) == Level.BEING_TESTED
    assert level(school("A", 3, 3, adopted=True), school("B", 1, 1)) == Level.BEING_TESTED


def test_supported_needs_a_signal_after_adoption_in_enough_schools():
    signalled = [school(n, 2, 2, adopted=True, points=20, signal=True) for n in "ABC"]
    evidence = evaluate(IdeaFacts(tuple(signalled)), DEFAULT)
    assert evidence.level == Level.SUPPORTED
    assert evidence.reasons[-1] == ("A sustained signal in the direction of improvement after adoption in 3 schools "
                                    "(A, B, C); supported needs 3.")
    assert level(*signalled[:2]) == Level.PROMISING
    # A signal without an adoption does not count.
    assert level(*signalled[:2], school("C", 2, 1, signal=True, points=20)) == Level.PROMISING


def test_not_supported_when_abandoned_in_enough_schools_and_never_adopted():
    abandoned = (school("A", abandoned=True), school("B", abandoned=True))
    evidence = evaluate(IdeaFacts(abandoned), DEFAULT)
    assert evidence.level == Level.NOT_SUPPORTED
    assert "Abandoned in 2 schools (A, B) and adopted in none" in evidence.reasons[-1]
    assert level(abandoned[0]) == Level.BEING_TESTED
    assert level(*abandoned, school("C", 1, 1, adopted=True)) == Level.BEING_TESTED


def test_not_supported_when_watched_adoptions_show_no_signal():
    watched = [school(n, 2, 2, adopted=True, points=MIN_POINTS_WATCHED) for n in "ABC"]
    evidence = evaluate(IdeaFacts(tuple(watched)), DEFAULT)
    assert evidence.level == Level.NOT_SUPPORTED
    assert "with no sustained signal" in evidence.reasons[-1]
    # One point fewer in one school: not watched long enough, so the idea stays promising.
    short = [*watched[:2], replace(watched[2], points_after_adoption=MIN_POINTS_WATCHED - 1)]
    assert level(*short) == Level.PROMISING
    # A signal in one school is evidence for the idea: not "not supported".
    assert level(*watched[:2], replace(watched[2], sustained_signal=True)) == Level.PROMISING


def test_thresholds_below_one_are_refused():
    assert Thresholds(promising_min_schools=0).problems() == {"promising_min_schools": "Use a whole number of at "
                                                                                       "least 1."}
    assert DEFAULT.problems() == {}


def test_the_documentation_names_every_level_and_the_watch_length():
    text = (Path(__file__).resolve().parents[2] / "docs" / "learning.md").read_text()
    for value in Level:
        assert f"**{value.label}**" in text, value
    assert f"{MIN_POINTS_WATCHED} points" in text


schools_strategy = st.lists(
    st.builds(
        SchoolFacts, school=st.sampled_from("ABCDEFG"), cycles=st.integers(0, 6),
        cycles_with_confirmed_prediction=st.integers(0, 6), adopted=st.booleans(), abandoned=st.booleans(),
        points_after_adoption=st.integers(0, 30), sustained_signal=st.booleans(),
    ),
    max_size=6, unique_by=lambda s: s.school,
)
thresholds_strategy = st.builds(
    Thresholds, promising_min_schools=st.integers(1, 5), promising_min_cycles=st.integers(1, 8),
    supported_min_schools=st.integers(1, 5), not_supported_min_abandoned=st.integers(1, 5),
)
threshold_names = st.sampled_from(
    ["promising_min_schools", "promising_min_cycles", "supported_min_schools", "not_supported_min_abandoned"]
)


@given(schools_strategy, thresholds_strategy, threshold_names, st.integers(1, 4))
def test_raising_a_threshold_never_raises_the_level(schools, thresholds, name, step):
    facts = IdeaFacts(tuple(schools))
    before = evaluate(facts, thresholds).level
    after = evaluate(facts, replace(thresholds, **{name: getattr(thresholds, name) + step})).level
    # "Not supported" is a verdict that needs evidence too: a higher threshold may withhold it (see below),
    # and the idea then shows the level its other facts reach.
    assert before == Level.NOT_SUPPORTED or after.rank <= before.rank
    # Nor does it make an idea "not supported" that was not.
    assert before == Level.NOT_SUPPORTED or after != Level.NOT_SUPPORTED


def test_a_verdict_of_not_supported_needs_as_many_watched_schools_as_supported_needs():
    """One adopted school watched without a signal is "not supported" only when one school is enough to support."""
    watched = SchoolFacts("A", cycles=3, cycles_with_confirmed_prediction=3, adopted=True,
                          points_after_adoption=MIN_POINTS_WATCHED)
    one_school_decides = Thresholds(promising_min_schools=1, promising_min_cycles=3, supported_min_schools=1)
    assert evaluate(IdeaFacts((watched,)), one_school_decides).level == Level.NOT_SUPPORTED
    two_schools_decide = replace(one_school_decides, supported_min_schools=2)
    assert evaluate(IdeaFacts((watched,)), two_schools_decide).level == Level.PROMISING


@given(schools_strategy, thresholds_strategy)
def test_every_reason_names_a_number_and_untested_means_no_cycles(schools, thresholds):
    facts = IdeaFacts(tuple(schools))
    evidence = evaluate(facts, thresholds)
    assert evidence.reasons
    assert (evidence.level == Level.UNTESTED) == (facts.cycles == 0)
    if evidence.level != Level.UNTESTED:
        assert all(any(ch.isdigit() for ch in reason) for reason in evidence.reasons)
