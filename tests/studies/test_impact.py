"""Impact estimates agree with estimatr's lm_robust(se_type = "CR2") to 1e-6 and lme4's REML fit to 1e-4."""

import csv
import json
import statistics
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from improvenet.cli.main import app
from improvenet.studies.impact import ImpactError, Sample, estimate, reassigned_estimate, reml_criterion

FIXTURES = Path(__file__).parents[1] / "fixtures/studies"
TRIAL = FIXTURES / "impact_trial.csv"
REFERENCE = json.loads((FIXTURES / "estimatr_lme4_reference.json").read_text())
runner = CliRunner()


def _rows():
    return [row for row in csv.DictReader(TRIAL.open()) if row["outcome"]]


def _sample(rows, block: bool, covariate: bool) -> Sample:
    return Sample(
        outcome=[float(r["outcome"]) for r in rows], treatment=[int(r["treatment"]) for r in rows],
        cluster=[r["school"] for r in rows], block=[r["block"] for r in rows] if block else None,
        covariates={"pretest": [float(r["pretest"]) for r in rows]} if covariate else None,
    )


SAMPLES = {
    "blocked_with_covariate": lambda: _sample(_rows(), block=True, covariate=True),
    "plain": lambda: _sample(_rows(), block=False, covariate=False),
    "two_blocks": lambda: _sample([r for r in _rows() if r["block"] in ("P1", "P2")], block=False, covariate=True),
}


@pytest.mark.parametrize("entry", REFERENCE["results"], ids=lambda entry: entry["name"])
def test_cr2_agrees_with_estimatr_and_clubsandwich(entry):
    impact = estimate(SAMPLES[entry["name"]](), "cr2")
    expected = entry["cr2"]
    for name in ("estimate", "se", "df", "ci_low", "ci_high", "p_value"):
        assert getattr(impact, name) == pytest.approx(expected[name], abs=1e-6), name
    assert expected["df"] == pytest.approx(expected["clubsandwich_df"], abs=1e-9)
    assert impact.n_analyzed == expected["nobs"]


@pytest.mark.parametrize("entry", REFERENCE["results"], ids=lambda entry: entry["name"])
def test_the_mixed_model_agrees_with_lme4(entry):
    sample = SAMPLES[entry["name"]]()
    impact = estimate(sample, "mixed")
    expected = entry["mixed"]
    assert impact.estimate == pytest.approx(expected["estimate"], abs=1e-4)
    assert impact.se == pytest.approx(expected["se"], abs=1e-4)
    assert impact.cluster_variance == pytest.approx(expected["school_variance"], abs=1e-4)
    assert impact.residual_variance == pytest.approx(expected["residual_variance"], abs=1e-4)
    assert reml_criterion(sample) == pytest.approx(expected["reml_criterion"], abs=1e-4)
    assert impact.df is None


def test_hedges_g_is_omega_times_the_impact_over_the_pooled_standard_deviation():
    sample = SAMPLES["plain"]()
    impact = estimate(sample, "cr2")
    treated = [y for y, t in zip(sample.outcome, sample.treatment, strict=True) if t == 1]
    control = [y for y, t in zip(sample.outcome, sample.treatment, strict=True) if t == 0]
    n_t, n_c = len(treated), len(control)
    pooled = (((n_t - 1) * statistics.variance(treated) + (n_c - 1) * statistics.variance(control))
              / (n_t + n_c - 2)) ** 0.5
    assert impact.hedges_g == pytest.approx((1 - 3 / (4 * (n_t + n_c) - 9)) * impact.estimate / pooled, rel=1e-12)
    assert impact.improvement_index == pytest.approx(100 * statistics.NormalDist().cdf(impact.hedges_g) - 50)


def test_cli_prints_the_documented_figures():
    result = runner.invoke(app, ["study", "analyze", str(TRIAL), "--outcome", "outcome", "--treatment", "treatment",
                                 "--cluster", "school", "--block", "block", "--covariate", "pretest", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert set(figures) == {"estimate", "se", "df", "ci_low", "ci_high", "p_value", "hedges_g", "n_analyzed",
                            "clusters"}
    expected = REFERENCE["results"][0]["cr2"]
    assert figures["estimate"] == pytest.approx(expected["estimate"], abs=1e-6)
    assert figures["df"] == pytest.approx(expected["df"], abs=1e-6)
    assert (figures["n_analyzed"], figures["clusters"]) == (469, 24)


def test_cli_in_words_says_how_many_rows_were_left_out():
    result = runner.invoke(app, ["study", "analyze", str(TRIAL), "--outcome", "outcome", "--treatment", "treatment",
                                 "--cluster", "school", "--method", "mixed"])
    assert result.exit_code == 0, result.output
    assert "469 students in 24 clusters analysed (25 left out for a missing outcome)." in result.output


@pytest.mark.parametrize(("content", "message"), [
    ("y,t,school\n1.0,1,A\n2.0,2,B\n", "line 3: t is “2”; it must be 1 (treated) or 0 (control)"),
    ("y,t,school\n1.0,1,A\nabc,0,B\n", "line 3: y is “abc”, which is not a number"),
    ("y,t,school\n1.0,1,\n", "line 2: school is empty"),
    ("y,t\n1.0,1\n", "has no column school; its columns are y, t"),
    ("y,t,school\n1.0,1,A\n2.0,0,A\n1.5,1,B\n", "same treatment: assignment is by cluster"),
    ("y,t,school\n1.0,1,A\n2.0,1,B\n1.5,1,C\n", "needs both treated and control"),
])
def test_bad_files_are_refused_naming_the_line(tmp_path, content, message):
    path = tmp_path / "trial.csv"
    path.write_text(content)
    result = runner.invoke(app, ["study", "analyze", str(path), "--outcome", "y", "--treatment", "t",
                                 "--cluster", "school"])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_a_method_that_does_not_exist_is_refused():
    with pytest.raises(ImpactError, match="choose cr2 or mixed"):
        estimate(SAMPLES["plain"](), "ols")


def test_the_reassigned_estimate_at_the_observed_assignment_is_the_impact_estimate():
    rng = np.random.default_rng(4)
    schools = [f"S{i}" for i in range(12)]
    treated_school = {school: i % 2 == 0 for i, school in enumerate(schools)}
    cluster = [school for school in schools for _ in range(15)]
    prior = rng.normal(size=len(cluster))
    sample = Sample(outcome=(prior + 0.3 * np.array([treated_school[c] for c in cluster])
                             + rng.normal(size=len(cluster))).tolist(),
                    treatment=[int(treated_school[c]) for c in cluster], cluster=cluster,
                    block=[f"B{int(c[1:]) // 4}" for c in cluster], covariates={"prior": prior.tolist()})
    statistic = reassigned_estimate(sample, schools)
    assert statistic(np.array([treated_school[s] for s in schools])) == pytest.approx(estimate(sample).estimate)
    swapped = {s: not t for s, t in treated_school.items()}
    assert statistic(np.array([swapped[s] for s in schools])) == pytest.approx(-estimate(sample).estimate)


def test_the_reassigned_estimate_needs_every_cluster_in_the_allocation():
    sample = Sample(outcome=[1.0, 2.0, 3.0, 4.0], treatment=[1, 0, 1, 0], cluster=["a", "b", "c", "d"])
    with pytest.raises(ImpactError, match="does not list the clusters d"):
        reassigned_estimate(sample, ["a", "b", "c"])
