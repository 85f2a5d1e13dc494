"""PowerBI-SPC golden files (tests/fixtures/spc/powerbi_spc_golden).

``*.qicharts2.json`` are genuine qicharts2 0.8.1 output, rounded by their generator to
``precision + 2`` decimals: we must agree to that rounding (half a unit in the last decimal).
``*.customR.json`` are the generator's own R reimplementation, NOT qicharts2; they are a
secondary check only, held to the same rounding where their definition is qicharts2's.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from improvenet.spc import qic

DIR = Path(__file__).resolve().parents[1] / "fixtures" / "spc" / "powerbi_spc_golden"
LINES = {"values": "y", "targets": "cl", "ul99": "ucl", "ll99": "lcl"}

QICHARTS2 = sorted(p.name for p in DIR.glob("*.qicharts2.json"))
SECONDARY = ["g__basic.customR.json", "mr__basic-ratio.customR.json", "pp__basic.customR.json",
             "t__basic.customR.json", "up__basic.customR.json"]  # fmt: skip
OUT_OF_SCOPE = {
    "i_m__basic.customR.json": "I chart with a median centre line: not a qicharts2 chart",
    "i_mm__basic.customR.json": "I chart with median moving range: not a qicharts2 chart",
    "s__basic.customR.json": "S chart from given subgroup SDs and sizes; qicharts2 (and we) "
    "compute the S chart from raw observations",
}


def _x(keys: list[str]) -> np.ndarray:
    if "-" in keys[0]:
        return np.array(keys, dtype="datetime64[D]")
    return np.array(keys, dtype=float)


def _check(name: str) -> None:
    case = json.loads((DIR / name).read_text())
    inputs, expected = case["inputs"], case["expected"]
    chart = case["metadata"]["chart_type"]
    tolerance = 0.5 * 10.0 ** -(case["metadata"]["precision"] + 2) * (1 + 1e-6)
    result = qic(inputs["numerators"], inputs.get("denominators"), x=_x(inputs["keys"]), chart=chart)
    for theirs, ours in LINES.items():
        if theirs not in expected:
            continue
        actual = result.points[ours].to_numpy(dtype=float)
        wanted = np.array([np.nan if v is None else v for v in expected[theirs]], dtype=float)
        if chart == "mr":  # the golden file leaves out the first (undefined) moving range
            actual = actual[1:]
        np.testing.assert_allclose(actual, wanted, rtol=0, atol=tolerance, err_msg=theirs)


@pytest.mark.parametrize("name", QICHARTS2)
def test_genuine_qicharts2_output(name: str) -> None:
    assert len(QICHARTS2) == 5
    _check(name)


@pytest.mark.parametrize("name", SECONDARY)
def test_secondary_reimplementation(name: str) -> None:
    _check(name)


@pytest.mark.parametrize("name", sorted(OUT_OF_SCOPE))
def test_out_of_scope_cases(name: str) -> None:
    assert (DIR / name).exists()
    pytest.skip(OUT_OF_SCOPE[name])
