"""runcharter 0.2.0.9000 (tests/fixtures/spc/runcharter).

runcharter finds sustained runs and re-bases the median after each one (its own algorithm,
not qicharts2's Anhøj analysis or the IHI rules); improvenet does not re-base medians
automatically, so these cases have no counterpart. The files are kept for provenance."""

from pathlib import Path

import pytest

DIR = Path(__file__).resolve().parents[1] / "fixtures" / "spc" / "runcharter"


def test_runcharter_is_out_of_scope() -> None:
    assert (DIR / "expected.json").exists()
    pytest.skip("runcharter's sustained-run median re-basing is not an improvenet rule set")
