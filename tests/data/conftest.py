"""A small synthetic district whose schools are the `world` cluster's, and a store for each test."""

import datetime
import shutil
from types import SimpleNamespace

import pytest
from django_scopes import scopes_disabled

from improvenet.analytics.synth import SchoolSpec, synthesize
from improvenet.data.models import DataUseAgreement
from improvenet.network.models import School, Team

SCHOOLS = (
    SchoolSpec("AH", "Alpha High", "high", None, "innovation"),
    SchoolSpec("AM", "Alpha Middle", "middle", "AH", "feeder"),
    SchoolSpec("CH", "Cedar High", "high", None, "comparison"),
    SchoolSpec("CM", "Cedar Middle", "middle", "CH", "feeder"),
    SchoolSpec("AE", "Alpha Elementary", "elementary", "AH", "feeder"),
    SchoolSpec("CE", "Cedar Elementary", "elementary", "CH", "feeder"),
    SchoolSpec("OH", "Outside High", "high", None, "at_large"),
)
FIRST_YEAR = 2021
START_YEAR = 2023
KEY = "ab" * 32


def bundle_with(district, folder, file: str, line: int, column: str, value: str):
    """A copy of the district's bundle in `folder`, with one cell of `file` changed (line 1 is the header)."""
    shutil.copytree(district, folder)
    lines = (folder / file).read_text().splitlines()
    header = lines[0].replace('"', "").split(",")
    values = lines[line - 1].split(",")
    values[header.index(column)] = value
    lines[line - 1] = ",".join(values)
    (folder / file).write_text("\n".join(lines) + "\n")
    return folder


@pytest.fixture(scope="session")
def district(tmp_path_factory):
    """The bundle folder (pure files, made once per test session)."""
    folder = tmp_path_factory.mktemp("district") / "bundle"
    synthesize(1500, 5, 7, folder, first_year=FIRST_YEAR, schools=SCHOOLS, improvement_start_year=START_YEAR)
    return folder


@pytest.fixture
def data_world(world, tmp_path, monkeypatch, settings):
    """`world` with state ids matching the district's files, a comparison school, a data team, alpha's store."""
    monkeypatch.setenv("IMPROVENET_PSEUDONYM_KEY", KEY)
    monkeypatch.setenv("IMPROVENET_ANALYTICS_STORE", str(tmp_path / "stores"))
    with scopes_disabled():
        School.objects.filter(pk=world.high.pk).update(state_id="AH")
        # The whole Alpha pyramid is innovating; the Cedar pyramid is its comparison.
        School.objects.filter(pk=world.middle.pk).update(state_id="AM", role="innovation")
        School.objects.create(cluster=world.alpha, name="Alpha Elementary", level="elementary", role="innovation",
                              lowest_grade=0, highest_grade=5, state_id="AE", feeds_into=world.high)
        comparison = School.objects.create(
            cluster=world.alpha, name="Cedar High", level="high", role="comparison", lowest_grade=9,
            highest_grade=12, state_id="CH",
        )
        for name, level, grades, state_id in (("Cedar Middle", "middle", (6, 8), "CM"),
                                              ("Cedar Elementary", "elementary", (0, 5), "CE")):
            School.objects.create(cluster=world.alpha, name=name, level=level, role="comparison",
                                  lowest_grade=grades[0], highest_grade=grades[1], state_id=state_id,
                                  feeds_into=comparison)
        data_team = Team.objects.create(cluster=world.alpha, name="Alpha data team", kind="data")
    return SimpleNamespace(world=world, store=tmp_path / "stores" / "alpha.duckdb", comparison=comparison,
                           data_team=data_team)


def make_agreement(data_world, fields=("student.*", "student_school_association.*", "calendar_date.*",
                                       "student_school_attendance_event.*"), **dates) -> DataUseAgreement:
    world = data_world.world
    today = datetime.date.today()
    with scopes_disabled():
        agreement = DataUseAgreement.objects.create(
            cluster=world.alpha, project="Attendance study", purpose="Chronic absenteeism trends.",
            permitted_fields=list(fields), starts_on=dates.get("starts_on", today - datetime.timedelta(days=30)),
            expires_on=dates.get("expires_on", today + datetime.timedelta(days=300)),
        )
        agreement.researchers.add(world.users.researcher)
        agreement.schools.set(School.objects.filter(cluster=world.alpha))
    return agreement
