"""Convenings and their packets for a small world: the window, the content, the prompts."""

import datetime

import pytest
from django_scopes import scope

from improvenet.convenings.models import Convening
from improvenet.convenings.packets import build_packet, stage_on
from improvenet.lib.errors import Conflict
from tests.convenings.conftest import SPRING, WINTER, decided
from tests.svg_charts import assert_reads_well

D = datetime.date


def cycle_ids(packet) -> set[int]:
    return {entry.cycle.pk for section in packet.sections for entry in section.cycles}


def test_the_previous_convening_is_the_latest_one_before(convened, alpha_scope):
    assert convened.winter.previous() is None
    assert convened.spring.previous() == convened.winter
    assert convened.spring.window() == (WINTER, SPRING)
    autumn = Convening.objects.create(cluster=convened.world.alpha, held_on=D(2024, 10, 10), title="Autumn")
    assert convened.winter.window() == (autumn.held_on, WINTER)
    assert convened.spring.previous() == convened.winter


def test_two_convenings_of_a_cluster_on_one_day_conflict(convened, alpha_scope):
    twin = Convening(cluster=convened.world.alpha, held_on=SPRING, title="Twin")
    with pytest.raises(Conflict, match="already has a convening on April 10, 2025"):
        twin.check_conflicts()
    with scope(cluster=convened.world.beta):
        Convening(cluster=convened.world.beta, held_on=SPRING, title="Beta's own").check_conflicts()


def test_each_packet_holds_the_cycles_with_a_step_in_its_window(convened, alpha_scope):
    spring = build_packet(convened.spring)
    assert cycle_ids(spring) == {convened.abandoned.pk, convened.later.pk, convened.middle.pk}
    winter = build_packet(convened.winter)
    # The first convening covers everything up to its day: the cycles planned and run in January.
    assert convened.before.pk in cycle_ids(winter) and convened.after.pk not in cycle_ids(winter)
    assert convened.abandoned.pk in cycle_ids(winter)


def test_the_packet_shows_each_cycle_as_it_stood_on_the_day(convened, alpha_scope):
    entries = {e.cycle.pk: e for s in build_packet(convened.spring).sections for e in s.cycles}
    abandoned, later = entries[convened.abandoned.pk], entries[convened.later.pk]
    assert (abandoned.stage, abandoned.decision) == ("done", "abandon")
    assert (abandoned.predictions, abandoned.confirmed, abandoned.not_confirmed) == (2, 1, 1)
    # Decided on May 5, after the spring convening: in Act on the day, without its decision.
    assert (later.stage, later.decision) == ("act", "")
    data = next(c for t in build_packet(convened.spring).to_dict()["teams"] for c in t["cycles"]
                if c["id"] == later.cycle.pk)
    assert data["decision_notes"] == "" and data["learning"] == "Learning of “Goal conferences in one classroom”."
    winter = {e.cycle.pk: e for s in build_packet(convened.winter).sections for e in s.cycles}
    assert winter[convened.abandoned.pk].stage == "study"
    assert winter[convened.abandoned.pk].confirmed == 0  # not compared with what happened yet on the day


def test_stage_on_a_day_follows_the_dates_of_the_steps(convened):
    cycle = convened.abandoned
    days = {D(2025, 1, 12): "plan", D(2025, 1, 13): "do", D(2025, 1, 27): "study", D(2025, 1, 31): "act",
            D(2025, 2, 10): "done", D(2024, 12, 1): "plan"}
    assert {day: stage_on(cycle, day) for day in days} == days


def test_a_team_packet_holds_only_its_own_school(convened, alpha_scope):
    high = build_packet(convened.spring, convened.world.team)
    assert cycle_ids(high) == {convened.abandoned.pk, convened.later.pk}
    assert [s.team for s in high.sections] == [convened.world.team]
    middle = build_packet(convened.spring, convened.pdsa.middle_team)
    assert cycle_ids(middle) == {convened.middle.pk}
    assert middle.adaptations == [] and middle.spread == [] and middle.signals == []
    assert high.filename() == "alpha-convening-2025-04-10-alpha-high.pdf"
    assert build_packet(convened.spring).filename() == "alpha-convening-2025-04-10-network.pdf"


def test_new_signals_are_those_whose_points_all_fall_in_the_window(convened, alpha_scope):
    spring = build_packet(convened.spring, with_svg=True)
    assert spring.signals, "the shift after the winter convening is a new signal"
    assert {s.school for s in spring.signals} == {convened.world.high}
    assert all(WINTER < s.first <= s.last <= SPRING for s in spring.signals)
    assert any(s.better and "above" in s.sentence and "improvement" in s.sentence for s in spring.signals)
    [chart] = spring.charts
    assert chart.measure == convened.measure and chart.svg.startswith("<svg")
    assert "Alpha High" in chart.svg
    assert_reads_well(chart.svg)
    # Up to the winter convening the data had not shifted yet.
    assert not [s for s in build_packet(convened.winter).signals if s.direction == "above"]


def test_adaptations_awaiting_a_decision_on_the_day(convened, alpha_scope):
    assert build_packet(convened.spring).adaptations == [convened.adaptation]
    assert build_packet(convened.winter).adaptations == []  # made after the winter convening
    convened.adaptation.decide("bring_back", "Advisory stays weekly.", convened.world.users.lead)
    # Decided today, long after the spring convening: on its day it was still awaiting.
    assert build_packet(convened.spring).adaptations == [convened.adaptation]
    Convening.objects.create(cluster=convened.world.alpha, held_on=datetime.date.today(), title="Today")
    today = Convening.objects.get(held_on=datetime.date.today())
    assert build_packet(today).adaptations == []


def test_spread_changes_in_the_window(convened, alpha_scope):
    assert [(c.stage, c.started_on) for c in build_packet(convened.spring).spread] == [("abandoned", D(2025, 2, 10))]
    assert [c.stage for c in build_packet(convened.winter).spread] == ["testing"]


def test_prompts_are_written_from_the_content(convened, alpha_scope):
    prompts = build_packet(convened.spring).prompts
    idea = convened.pdsa.idea.title
    assert f"Alpha High abandoned “{idea}” after 1 cycle: what did you learn that others should know?" in prompts
    assert any(p.startswith("Alpha Middle adopted “") for p in prompts)
    assert any("1 of 2 predictions of “Goal conferences with a tracker” did not come true" in p for p in prompts)
    assert any(p.startswith("Alpha High has new chart signals towards improvement in 9th graders on track")
               for p in prompts)
    assert any("changed a core element of SOAR (“Weekly advisory”)" in p for p in prompts)
    assert f"Alpha High stopped “{idea}”: what made the difference?" in prompts
    assert f"“{idea}” was adopted at Alpha Middle but abandoned at Alpha High: what explains the difference?" in prompts
    team_prompts = build_packet(convened.spring, convened.pdsa.middle_team).prompts
    assert team_prompts and all(p.startswith("Alpha Middle") for p in team_prompts)


def test_ramp_position_counts_the_cycles_before_in_the_ramp(convened, alpha_scope):
    second = decided(convened.pdsa, "Exit tickets in two classrooms", "abandon", D(2025, 3, 3),
                     team=convened.pdsa.middle_team, previous=convened.middle)
    packet = build_packet(convened.spring)
    entries = {e.cycle.pk: e for s in packet.sections for e in s.cycles}
    assert (entries[convened.middle.pk].ramp_position, entries[second.pk].ramp_position) == (1, 2)
    assert any(p.startswith("Alpha Middle abandoned “") and "after 2 cycles" in p for p in packet.prompts)
