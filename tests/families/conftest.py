"""`world` with published family pages for alpha, a data team with the researcher on it, and a tiny store."""

import csv
from types import SimpleNamespace

import pytest
from django_scopes import scopes_disabled

from improvenet.analytics.bundle import read_bundle
from improvenet.analytics.pseudonym import Pseudonymizer, load_key
from improvenet.analytics.store import Store
from improvenet.analytics.synth import SchoolSpec, synthesize
from improvenet.families.models import FamilyPages
from improvenet.network.models import Membership, Person, School, Team

KEY = "cd" * 32
# settings.FAMILY_RATE_LIMITS for tests that send more requests than the public pages accept.
NO_LIMITS = {kind: ((10**6, 60), (10**6, 60)) for kind in ("pages", "opt-out")}
SCHOOLS = (SchoolSpec("AH", "Alpha High", "high", None, "innovation"),
           SchoolSpec("AM", "Alpha Middle", "middle", "AH", "feeder"),
           SchoolSpec("AE", "Alpha Elementary", "elementary", "AH", "feeder"))


@pytest.fixture(scope="session")
def tiny_store(tmp_path_factory):
    """(store file, a student id in it): a small synthetic district, loaded once per session."""
    folder = tmp_path_factory.mktemp("families-district") / "bundle"
    synthesize(40, 2, 3, folder, first_year=2023, schools=SCHOOLS)
    path = folder.parent / "store.duckdb"
    Store(path).load(read_bundle(folder), Pseudonymizer(load_key({"IMPROVENET_PSEUDONYM_KEY": KEY})),
                     source="bundle")
    student_id = next(csv.DictReader((folder / "students.csv").open()))["student_id"]
    return path, student_id


@pytest.fixture
def families(world, tmp_path, monkeypatch):
    """alpha's family pages published; the researcher on alpha's data team; stores under tmp_path."""
    monkeypatch.setenv("IMPROVENET_PSEUDONYM_KEY", KEY)
    monkeypatch.setenv("IMPROVENET_ANALYTICS_STORE", str(tmp_path / "stores"))
    with scopes_disabled():
        School.objects.filter(pk=world.high.pk).update(state_id="AH")
        School.objects.filter(pk=world.middle.pk).update(state_id="AM")
        FamilyPages.objects.create(cluster=world.alpha, published=True, contact_office="the Alpha research office",
                                   contact_email="research@alpha.example.org", contact_phone="555 010 2000")
        team = Team.objects.create(cluster=world.alpha, name="Alpha data team", kind="data")
        person = Person.objects.create(cluster=world.alpha, given_name="Rhea", family_name="Search",
                                       user=world.users.researcher)
        Membership.objects.create(team=team, person=person, role="member", started_on="2024-01-01")
    return SimpleNamespace(world=world, store=tmp_path / "stores" / "alpha.duckdb", data_team=team)


def request_form(for_school, **changes) -> dict:
    return {"student_id": "S-000123", "date_of_birth": "2012-05-04", "school": for_school.pk,
            "guardian_name": "Ana Ruiz", "contact": "ana@example.org", "website": "", **changes}
