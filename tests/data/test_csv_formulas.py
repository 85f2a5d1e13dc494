"""A metric's CSV, on the page and from the command line, never hands a spreadsheet a formula from a district file."""

import csv
import io

import pytest
from django_scopes import scopes_disabled
from typer.testing import CliRunner

from improvenet.analytics.bundle import read_bundle
from improvenet.analytics.pseudonym import Pseudonymizer, load_key
from improvenet.analytics.store import Store
from improvenet.analytics.synth import SchoolSpec, synthesize
from improvenet.cli.main import app
from improvenet.network.models import School
from tests.data.conftest import FIRST_YEAR, KEY

# A school id as a district file may carry it: a spreadsheet would run it.
HOSTILE = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture(scope="session")
def hostile_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile") / "bundle"
    synthesize(300, 2, 5, folder, first_year=FIRST_YEAR, schools=(
        SchoolSpec(HOSTILE, "Alpha High", "high", None, "innovation"),
        SchoolSpec("AM", "Alpha Middle", "middle", HOSTILE, "feeder"),
        SchoolSpec("AE", "Alpha Elementary", "elementary", "AM", "feeder")))
    path = folder.parent / "store.duckdb"
    Store(path).load(read_bundle(folder), Pseudonymizer(load_key({"IMPROVENET_PSEUDONYM_KEY": KEY})), source="b")
    return path


@pytest.fixture
def hostile(data_world, hostile_store):
    with scopes_disabled():
        School.objects.filter(pk=data_world.world.high.pk).update(state_id=HOSTILE)
    data_world.store.parent.mkdir(parents=True, exist_ok=True)
    data_world.store.write_bytes(hostile_store.read_bytes())
    return data_world


def school_ids(text: str) -> set[str]:
    return {row["school_id"] for row in csv.DictReader(io.StringIO(text))}


def test_the_metric_download_escapes_a_formula(client, hostile):
    client.force_login(hostile.world.users.lead)
    answer = client.get("/clusters/alpha/data/metrics/chronic-absenteeism/csv/")
    assert answer.status_code == 200
    assert school_ids(answer.content.decode()) >= {"'" + HOSTILE, "ALL"}


def test_the_metrics_command_escapes_a_formula(hostile):
    result = CliRunner().invoke(app, ["metrics", "chronic-absenteeism", "--cluster", "alpha", "--user", "lead"])
    assert result.exit_code == 0, result.output
    assert school_ids(result.stdout) >= {"'" + HOSTILE, "ALL"}
