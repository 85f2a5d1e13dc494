"""The demo's convenings: two past convenings of Riverside whose packets show real content."""

import datetime
import io
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django_scopes import scope, scopes_disabled
from pypdf import PdfReader

from improvenet.convenings.models import Convening
from improvenet.convenings.packets import build_packet
from improvenet.convenings.pdf import packet_pdf
from improvenet.demo import load_demo
from improvenet.home.overview import cluster_overview
from improvenet.network.models import Cluster, Person, Team


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        # On PostgreSQL the foreign keys are checked when the transaction ends; checked here once,
        # not again after every test's savepoint.
        connection.check_constraints()
        with scopes_disabled():
            riverside = Cluster.objects.get(slug="riverside")
            bob = Person.objects.get(user__username="bob")
            team = Team.objects.get(kind="school_design", memberships__person=bob, memberships__ended_on__isnull=True)
        yield SimpleNamespace(riverside=riverside, team=team)
        transaction.set_rollback(True)


@pytest.fixture
def riverside(db, demo):
    with scope(cluster=demo.riverside):
        yield demo


def test_riverside_has_two_past_quarterly_convenings(riverside):
    winter, spring = Convening.objects.order_by("held_on")
    assert spring.previous() == winter and winter.previous() is None
    assert 80 <= (spring.held_on - winter.held_on).days <= 100
    assert spring.held_on < datetime.date.today()
    with scopes_disabled():
        assert not Convening.objects.exclude(cluster=riverside.riverside).exists()


def test_the_spring_packets_show_cycles_signals_and_prompts(riverside):
    spring = Convening.objects.order_by("-held_on").first()
    packet = build_packet(spring)
    assert packet.since == spring.previous().held_on
    assert len(packet.sections) == 3 and sum(1 for section in packet.sections if section.cycles) >= 2
    assert any(entry.decision for section in packet.sections for entry in section.cycles)
    assert packet.signals and packet.charts
    assert any("after" in prompt and "cycle" in prompt for prompt in packet.prompts)
    assert any("chart signals" in prompt for prompt in packet.prompts)


def test_the_winter_packet_covers_everything_before_it(riverside):
    winter = Convening.objects.order_by("held_on").first()
    packet = build_packet(winter)
    assert packet.since is None
    assert packet.cycle_count > build_packet(Convening.objects.order_by("-held_on").first()).cycle_count
    assert packet.spread, "the learning demo's spread stages of the first year show in the first packet"


def test_bobs_team_packet_pdf_holds_its_cycles(riverside):
    spring = Convening.objects.order_by("-held_on").first()
    packet = build_packet(spring, riverside.team, with_svg=True)
    text = " ".join(" ".join(page.extract_text().split())
                    for page in PdfReader(io.BytesIO(packet_pdf(packet))).pages)
    [section] = packet.sections
    assert section.cycles
    for entry in section.cycles:
        assert " ".join(entry.cycle.objective.split()) in text
    learned = [e for e in section.cycles if e.stage in ("act", "done")]
    assert learned and " ".join(learned[0].cycle.learning.split()) in text


def test_the_overview_names_the_levels_that_rose_since_the_spring_convening(riverside):
    overview = cluster_overview(riverside.riverside)
    assert overview["last_convening"].title == "Spring convening of the school teams"
    changed = overview["levels"]["changed"]
    assert len(changed) == 2
    for item in changed:  # the convening saw a weaker claim, or had not ruled the idea out yet
        assert item["was"] == {"supported": "promising", "promising": "being_tested",
                               "not_supported": "being_tested"}[item["now"]], item
