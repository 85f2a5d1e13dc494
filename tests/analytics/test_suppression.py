"""Small-cell suppression: hand-built tables and a Hypothesis property over random ones."""

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from improvenet.analytics.suppression import partitions, suppress, unsafe_partitions


def table(rows):
    """Rows of (school_id, group, students, chronic) for year 2024."""
    frame = pd.DataFrame(rows, columns=["school_id", "group", "students", "chronic"])
    frame.insert(1, "school_year", 2024)
    frame["rate"] = frame["chronic"] / frame["students"]
    return frame


def hidden(result):
    return {(r.school_id, r.group) for r in result.itertuples() if r.suppressed}


def test_rows_under_min_n_show_no_counts_and_no_rate():
    result = suppress(table([("A", "all", 40, 4), ("A", "sped", 9, 3)]), "students", ("chronic", "rate"))
    assert hidden(result) == {("A", "sped")}
    sped = result[result.group == "sped"].iloc[0]
    assert pd.isna(sped.students) and pd.isna(sped.chronic) and pd.isna(sped.rate) and sped.suppressed == 1
    shown = result[result.group == "all"].iloc[0]
    assert (shown.students, shown.chronic, shown.rate, shown.suppressed) == (40, 4, 0.1, 0)


def test_exactly_ten_is_shown():
    assert hidden(suppress(table([("A", "all", 10, 1)]), "students", ("chronic", "rate"))) == set()


def test_one_small_race_hides_the_smallest_other_race():
    rows = [("A", "all", 60, 6), ("A", "race:Asian", 4, 1), ("A", "race:Black", 30, 3),
            ("A", "race:Hispanic", 15, 1), ("A", "race:White", 11, 1)]
    result = suppress(table(rows), "students", ("chronic", "rate"))
    # Without race:White hidden, Asian = 60 - 30 - 15 - 11 = 4 could be recovered.
    assert hidden(result) == {("A", "race:Asian"), ("A", "race:White")}


def test_two_small_races_need_no_complement():
    rows = [("A", "all", 50, 6), ("A", "race:Asian", 4, 1), ("A", "race:Black", 30, 3),
            ("A", "race:Other", 5, 1), ("A", "race:White", 11, 1)]
    assert hidden(suppress(table(rows), "students", ("chronic", "rate"))) == {("A", "race:Asian"), ("A", "race:Other")}


def test_sex_partition_with_two_values_hides_both():
    rows = [("A", "all", 25, 5), ("A", "sex:F", 19, 3), ("A", "sex:M", 6, 2)]
    assert hidden(suppress(table(rows), "students", ("chronic", "rate"))) == {("A", "sex:F"), ("A", "sex:M")}


def test_ties_hide_the_first_by_name():
    rows = [("A", "all", 42, 5), ("A", "race:A", 2, 1), ("A", "race:B", 20, 2), ("A", "race:C", 20, 2)]
    assert hidden(suppress(table(rows), "students", ("chronic", "rate"))) == {("A", "race:A"), ("A", "race:B")}


def test_flag_row_is_hidden_when_its_complement_is_small():
    rows = [("A", "all", 50, 5), ("A", "ell", 45, 4), ("A", "frl", 40, 4), ("A", "sped", 12, 2)]
    # non-ELL = 50 - 45 = 5 students could be read off; non-FRL = 10 and non-SPED = 38 are safe.
    assert hidden(suppress(table(rows), "students", ("chronic", "rate"))) == {("A", "ell")}


def test_school_rows_protect_each_other_under_the_district_row():
    rows = [("ALL", "all", 70, 7), ("A", "all", 5, 1), ("B", "all", 40, 3), ("C", "all", 25, 3)]
    # A = 70 - 40 - 25 could be recovered: the smallest other school (C) is hidden too.
    assert hidden(suppress(table(rows), "students", ("chronic", "rate"))) == {("A", "all"), ("C", "all")}


def test_complementary_hiding_repeats_across_partitions():
    rows = [
        ("ALL", "all", 100, 10), ("ALL", "race:X", 60, 6), ("ALL", "race:Y", 40, 4),
        ("A", "all", 50, 5), ("A", "race:X", 45, 4), ("A", "race:Y", 5, 1),
        ("B", "all", 50, 5), ("B", "race:X", 15, 2), ("B", "race:Y", 35, 3),
    ]
    result = suppress(table(rows), "students", ("chronic", "rate"))
    # A race:Y (5) is small → A race:X hidden with it; then race:X and race:Y each have one hidden
    # school under the district row → B race:X and B race:Y are hidden too.
    assert hidden(result) == {("A", "race:X"), ("A", "race:Y"), ("B", "race:X"), ("B", "race:Y")}
    assert unsafe_partitions(result, "students") == []


def test_a_single_member_partition_hides_its_total():
    rows = [("ALL", "all", 12, 1), ("A", "all", 12, 1), ("A", "race:X", 12, 1), ("A", "ell", 3, 1)]
    result = suppress(table(rows), "students", ("chronic", "rate"))
    assert ("A", "ell") in hidden(result) and ("A", "all") not in hidden(result)


def test_pyarrow_in_pyarrow_out():
    result = suppress(pa.Table.from_pandas(table([("A", "all", 3, 1)])), "students", ("chronic", "rate"))
    assert isinstance(result, pa.Table)
    assert result.to_pylist()[0] | {} == {
        "school_id": "A", "school_year": 2024, "group": "all", "students": None, "chronic": None, "rate": None,
        "suppressed": 1,
    }


def test_min_n_must_be_positive():
    with pytest.raises(ValueError, match="min_n must be at least 1"):
        suppress(table([("A", "all", 3, 1)]), "students", ("chronic",), min_n=0)


GROUPS = ("all", "sex:F", "sex:M", "sex:X", "race:A", "race:B", "race:C", "race:D", "ell", "sped", "frl")


@st.composite
def aggregate_tables(draw):
    """Random tables of schools (and the district) × 2 years × groups, with counts that add up like real ones."""
    rows = []
    for year in (2023, 2024):
        district = {}
        for school in draw(st.lists(st.sampled_from("ABCDE"), min_size=1, max_size=4, unique=True)):
            sexes = draw(st.lists(st.integers(0, 40), min_size=3, max_size=3))
            total = sum(sexes)
            cuts = sorted(draw(st.lists(st.integers(0, total), min_size=3, max_size=3)))
            races = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
            counts = {"all": total, **dict(zip(GROUPS[1:4], sexes, strict=True)),
                      **dict(zip(GROUPS[4:8], races, strict=True))}
            for flag in ("ell", "sped", "frl"):
                counts[flag] = draw(st.integers(0, total))
            for group, count in counts.items():
                if count:
                    rows.append((school, year, group, count))
                    district[group] = district.get(group, 0) + count
        rows += [("ALL", year, group, count) for group, count in district.items()]
    frame = pd.DataFrame(rows, columns=["school_id", "school_year", "group", "students"])
    frame["chronic"] = frame["students"] // 3
    return frame


@settings(max_examples=150, deadline=None)
@given(aggregate_tables(), st.integers(1, 25))
def test_no_partition_has_exactly_one_hidden_row(frame, min_n):
    result = suppress(frame, "students", ("chronic",), min_n=min_n)
    assert unsafe_partitions(result, "students", min_n, original_counts=frame["students"].tolist()) == []
    for partition in partitions(result, "school_id", "school_year", "group"):
        hidden_members = int(result["suppressed"].iloc[list(partition.members)].sum())
        total_hidden = partition.total is not None and result["suppressed"].iloc[partition.total] == 1
        assert hidden_members != 1 or total_hidden
    shown = result[result.suppressed == 0]
    assert (shown["students"] >= min_n).all()
    assert result.loc[result.suppressed == 1, ["students", "chronic"]].isna().all().all()
