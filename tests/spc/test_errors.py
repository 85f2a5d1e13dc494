"""Bad input gets one exception type, SPCInputError, whose message names the row and problem."""

import pytest

from improvenet.spc import SPCInputError, plan_parts, qic


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: qic([3, 12], [10, 10], chart="p"), r"row 2: the count y \(12\) is above its denominator n \(10\)"),
        (lambda: qic([3, -1, 2], chart="c"), r"row 2: the count y is negative \(-1\)"),
        (lambda: qic([3, 1, 2], [10, -5, 10], chart="u"), r"row 2: the denominator n is negative \(-5\)"),
        (lambda: qic([3, "abc", 2], chart="i"), r"row 2: y value 'abc' is .*not a number"),
        (lambda: qic([3, 1, 2], ["10", "x", "10"], chart="u"), r"row 2: n value 'x' is .*not a number"),
        (lambda: qic([5], chart="i"), r"only 1 usable point.*at least 2"),
        (lambda: qic([5, None, None], chart="i"), r"only 1 usable point"),
        (lambda: qic([1, 2, 3], chart="i", freeze=4), r"freeze=4 is beyond the data \(only 3 subgroups\)"),
        (lambda: qic([1, 2, 3], chart="i", freeze=0), r"freeze must be a whole number"),
        (lambda: qic([1, 2, 3], chart="i", exclude=[5]), r"exclude position 5 is beyond the data"),
        (lambda: qic([1, 2, 3], chart="i", exclude=[0]), r"exclude must list positions"),
        (lambda: qic([1, 2, 3], chart="p"), r"a p chart needs a denominator n"),
        (lambda: qic([1, 2, 3], chart="x"), r"chart must be one of"),
        (lambda: qic([1, 0, 3], chart="t"), r"row 2: time between events must be greater than zero"),
        (lambda: qic([1, 2, 3], multiply=0), r"multiply must be a positive number"),
        (lambda: qic([1, 2, 3], part=["a", "b"]), r"part must be either one label per row"),
        (lambda: qic([1, 2, 3], part=[1, 1, 2, 2]), r"part must be either one label per row \(3 labels, got 4\)"),
        (lambda: qic([1, 2, 3, 4], part=[1.5]), r"or a shorter list of whole numbers .*not \[1\.5\]"),
        (lambda: qic([1, 2, 3, 4], part=[2, "x"]), r"part must be either one label per row"),
        (lambda: qic([1, 2, 3, 4], part="phase"), r"part must be a list .*not the text 'phase'"),
        (lambda: qic([1, 2, 3, 4], min_part_points=0), r"min_part_points must be a whole number"),
        (lambda: plan_parts([1, 2, 3], x=["2024-09-09", "2024-09-02", "2024-09-16"], chart="i"), r"in time order"),
        (lambda: qic([1, 2, 3], [1, 2]), r"n has 2 values but y has 3"),
        (lambda: qic([1, float("inf"), 3], chart="i"), r"row 2: y is infinite"),
        (lambda: qic([]), r"there are no rows to chart"),
    ],
)
def test_bad_input_is_named(call, message) -> None:
    with pytest.raises(SPCInputError, match=message):
        call()


def test_error_is_a_value_error() -> None:
    assert issubclass(SPCInputError, ValueError)


def test_part_with_one_point_names_the_part() -> None:
    with pytest.raises(SPCInputError, match=r"the series, part 2: only 1 usable point"):
        qic([1, 2, 3, 4, 5], chart="i", part=[4])


def test_run_chart_needs_no_limits_so_one_point_is_fine() -> None:
    assert qic([5]).points["cl"].tolist() == [5]


def test_rows_without_x_are_left_out_with_a_note() -> None:
    result = qic([1, 2, 3, 4], x=[1.0, None, 3.0, 4.0], chart="i")
    assert result.points["y"].tolist() == [1, 3, 4]
    assert result.notes == ["row 2: x is missing; 1 row(s) without x were left out"]
