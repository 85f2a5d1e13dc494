"""ρ and R² from a nested random-intercept model, against lme4 (tests/fixtures/studies/variance_parts_reference.*)."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from improvenet.studies.variance import VarianceError, reml_fit, variance_parts

FIXTURES = Path(__file__).parents[1] / "fixtures" / "studies"
REFERENCE = json.loads((FIXTURES / "variance_parts_reference.json").read_text())["fits"]


@pytest.fixture(scope="module")
def students():
    with (FIXTURES / "variance_parts.csv").open() as file:
        rows = list(csv.DictReader(file))
    outcome = np.array([float(r["outcome"]) for r in rows])
    prior = np.array([float(r["prior"]) for r in rows])
    school = np.array([r["school"] for r in rows])
    school_prior = np.array([prior[school == s].mean() for s in school])
    return {"outcome": outcome, "prior": prior, "school": school, "pyramid": [r["pyramid"] for r in rows],
            "school_prior": school_prior}


def _fit(students, with_prior: bool, three_levels: bool):
    names = list(dict.fromkeys(students["school"].tolist()))
    rows = [np.flatnonzero(students["school"] == name) for name in names]
    columns = [np.ones(len(students["outcome"]))]
    if with_prior:
        columns += [students["prior"], students["school_prior"]]
    higher = None
    if three_levels:
        pyramids = list(dict.fromkeys(students["pyramid"]))
        higher = [pyramids.index(students["pyramid"][r[0]]) for r in rows]
    return reml_fit(students["outcome"], np.column_stack(columns), rows, higher)


@pytest.mark.parametrize("name, with_prior, three_levels", [
    ("two_levels", False, False), ("two_levels_prior", True, False),
    ("three_levels", False, True), ("three_levels_prior", True, True),
])
def test_the_variance_components_agree_with_lme4(students, name, with_prior, three_levels):
    fit, expected = _fit(students, with_prior, three_levels), REFERENCE[name]
    assert fit.school == pytest.approx(expected["school"], abs=1e-4)
    assert fit.higher == pytest.approx(expected["pyramid"], abs=1e-4)
    assert fit.residual == pytest.approx(expected["residual"], abs=1e-4)
    assert fit.criterion == pytest.approx(expected["reml_criterion"], abs=1e-4)


def test_rho_and_r_squared_are_the_shares_of_the_lme4_components(students):
    parts = variance_parts(students["outcome"], students["school"], students["pyramid"],
                           {"prior": students["prior"], "school_prior": students["school_prior"]})
    empty, full = REFERENCE["three_levels"], REFERENCE["three_levels_prior"]
    total = empty["school"] + empty["pyramid"] + empty["residual"]
    assert parts.rho2 == pytest.approx(empty["school"] / total, abs=1e-4)
    assert parts.rho3 == pytest.approx(empty["pyramid"] / total, abs=1e-4)
    assert parts.R1 == pytest.approx(1 - full["residual"] / empty["residual"], abs=1e-4)
    assert parts.R2 == pytest.approx(1 - full["school"] / empty["school"], abs=1e-3)
    assert parts.R3 == pytest.approx(1 - full["pyramid"] / empty["pyramid"], abs=1e-3)
    assert (parts.students, parts.schools, parts.higher_groups) == (629, 30, 6)
    sizes = np.unique(students["school"], return_counts=True)[1]
    assert parts.students_per_school == pytest.approx(30 / np.sum(1 / sizes))


def test_two_levels_without_covariates(students):
    parts = variance_parts(students["outcome"], students["school"])
    expected = REFERENCE["two_levels"]
    assert parts.rho2 == pytest.approx(expected["school"] / (expected["school"] + expected["residual"]), abs=1e-4)
    assert parts.rho3 is None and parts.R1 is None and parts.higher_groups is None


def test_no_variance_between_schools_gives_rho_zero():
    rng = np.random.default_rng(1)
    school = np.repeat(["a", "b", "c", "d"], 50)
    outcome = rng.normal(size=200)
    outcome -= np.array([outcome[school == s].mean() for s in school])
    assert variance_parts(outcome, school).rho2 == 0


@pytest.mark.parametrize("outcome, school, higher, message", [
    ([1.0, 2.0, 3.0], ["a", "a", "b"], None, "2 schools cannot split the variance"),
    ([1.0, 1.0, 1.0], ["a", "b", "c"], None, "does not vary"),
    ([1.0, 2.0, 3.0, 4.0], ["a", "b", "c", "c"], ["x", "x", "y", "z"], "The school c lies in more than one"),
    ([1.0, 2.0, 3.0], ["a", "b", "c"], ["x", "x", "x"], "at least 2 groups"),
])
def test_data_that_cannot_be_split_is_refused_with_the_reason(outcome, school, higher, message):
    with pytest.raises(VarianceError, match=message):
        variance_parts(outcome, school, higher)
