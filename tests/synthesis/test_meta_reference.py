"""The estimators agree with R's metafor 3.8 (`rma`, `predict`, `escalc`) to 1e-6.

Reference values: tests/fixtures/synthesis/metafor_reference.json, made by metafor_reference.R beside it.
"""

import json
from pathlib import Path

import pytest

from improvenet.synthesis import meta

REFERENCE = json.loads((Path(__file__).parents[1] / "fixtures/synthesis/metafor_reference.json").read_text())
TOLERANCE = 1e-6


def _label(entry):
    return f"{entry['case']}-{entry['method']}-{entry['test']}"


@pytest.mark.parametrize("entry", REFERENCE["results"], ids=_label)
def test_pooled_estimates_agree_with_metafor(entry):
    case = REFERENCE["cases"][entry["case"]]
    pooled = meta.pool(case["yi"], case["vi"], entry["method"], entry["test"])
    figures = pooled.summary() | {"h2": pooled.h2}
    assert figures.keys() >= entry["result"].keys()
    for name, expected in entry["result"].items():
        assert figures[name] == pytest.approx(expected, abs=TOLERANCE), name


@pytest.mark.parametrize("entry", REFERENCE["moderated"], ids=_label)
def test_meta_regression_agrees_with_metafor(entry):
    case = REFERENCE["cases"][entry["case"]]
    moderators = {name: case[name] for name in entry["moderators"]}
    regression = meta.regress(case["yi"], case["vi"], moderators, entry["method"], entry["test"])
    expected = entry["result"]
    assert [c.term for c in regression.coefficients] == ["intercept", *entry["moderators"]]
    for got, want in zip(regression.coefficients, expected["coefficients"], strict=True):
        assert got.estimate == pytest.approx(want["estimate"], abs=TOLERANCE)
        assert got.se == pytest.approx(want["se"], abs=TOLERANCE)
    assert regression.tau2 == pytest.approx(expected["tau2"], abs=TOLERANCE)
    assert regression.qe == pytest.approx(expected["qe"], abs=TOLERANCE)
    assert regression.qm == pytest.approx(expected["qm"], abs=TOLERANCE)


CONVERSIONS = {"smd": meta.hedges_g, "log_risk_ratio": meta.log_risk_ratio, "cox_logit": meta.cox_logit}


@pytest.mark.parametrize("name", CONVERSIONS)
def test_effect_size_conversions_agree_with_escalc(name):
    data = REFERENCE["conversions"][name]
    inputs = [key for key in data if key not in ("yi", "vi")]
    for row, (yi, vi) in enumerate(zip(data["yi"], data["vi"], strict=True)):
        got = CONVERSIONS[name](*(data[key][row] for key in inputs))
        assert got == pytest.approx((yi, vi), abs=1e-12)


def test_the_reference_values_say_where_they_come_from():
    provenance = REFERENCE["provenance"]
    assert provenance["package"] == "metafor" and provenance["version"].startswith("3.8")
    assert (Path(__file__).parents[1] / provenance["script"].removeprefix("tests/")).exists()
