"""Fixtures the analytics tests share: the tiny hand-written bundle and a pseudonymizer with a fixed key."""

import shutil
from pathlib import Path

import pytest

from improvenet.analytics.pseudonym import Pseudonymizer

TINY_BUNDLE = Path(__file__).parent.parent / "fixtures" / "analytics" / "tiny_bundle"


@pytest.fixture
def tiny_bundle(tmp_path) -> Path:
    """A writable copy of tests/fixtures/analytics/tiny_bundle: 3 schools, 4 students, one school year."""
    return Path(shutil.copytree(TINY_BUNDLE, tmp_path / "bundle"))


@pytest.fixture
def pseudonymizer() -> Pseudonymizer:
    return Pseudonymizer(bytes(range(32)))
