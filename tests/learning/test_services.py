"""Evidence gathered from real cycles and real SPC charts, and the spread services other apps call."""

import datetime

from django_scopes import scope

from improvenet.learning import services
from improvenet.learning.evidence import Level
from improvenet.learning.models import EvidenceThresholds, SpreadStage
from improvenet.network.models import School, Team
from tests.learning.conftest import decided_cycle, week, weekly_measure, weekly_values

D = datetime.date
NOISE = [0.02 * ((i * 3) % 5 - 2) for i in range(60)]
SHIFTED = [0.5 + n if i < 30 else 0.8 + n for i, n in enumerate(NOISE)]
FLAT = [0.5 + n for n in NOISE]


def lower_thresholds(world, **numbers) -> None:
    EvidenceThresholds.objects.create(network=world.network, **numbers)


def evidence(pdsa):
    return services.evidence_for(pdsa.world.alpha, pdsa.idea)


def test_an_idea_without_cycles_is_untested(pdsa):
    result = evidence(pdsa)
    assert result.level == Level.UNTESTED
    assert result.cycles == [] and result.signals == []


def test_a_shift_after_adoption_is_a_sustained_signal_and_supports_the_idea(pdsa):
    world = pdsa.world
    lower_thresholds(world, supported_min_schools=1)
    with scope(cluster=world.alpha):
        measure = weekly_measure(world)
        weekly_values(measure, world.high, SHIFTED)
    decided_cycle(pdsa, "adopt", week(29) + datetime.timedelta(days=2), measures=[measure])
    result = evidence(pdsa)
    assert result.level == Level.SUPPORTED, result.evidence.reasons
    [signal] = result.signals
    assert signal.school == world.high and signal.points_after == 30
    assert signal.sustained and "in the direction of improvement" in signal.sustained[0]
    assert result.evidence.reasons[-1] == ("A sustained signal in the direction of improvement after adoption in "
                                           "1 school (Alpha High); supported needs 1.")


def test_a_shift_that_started_before_adoption_does_not_count(pdsa):
    world = pdsa.world
    lower_thresholds(world, supported_min_schools=1)
    with scope(cluster=world.alpha):
        measure = weekly_measure(world)
        weekly_values(measure, world.high, SHIFTED)
    decided_cycle(pdsa, "adopt", week(40), measures=[measure])
    result = evidence(pdsa)
    assert result.signals[0].sustained == []
    assert result.level == Level.NOT_SUPPORTED  # watched for 19 points with no signal, in the 1 school needed


def test_process_measures_are_listed_but_do_not_count(pdsa):
    world = pdsa.world
    lower_thresholds(world, supported_min_schools=1)
    with scope(cluster=world.alpha):
        measure = weekly_measure(world, kind="process", slug="check-ins")
        weekly_values(measure, world.high, SHIFTED)
    decided_cycle(pdsa, "adopt", week(29), measures=[measure])
    result = evidence(pdsa)
    assert result.signals == [] and result.other_measures == [measure]
    assert result.level == Level.BEING_TESTED


def test_a_flat_measure_after_adoption_in_enough_schools_is_not_supported(pdsa):
    world = pdsa.world
    lower_thresholds(world, supported_min_schools=2)
    with scope(cluster=world.alpha):
        measure = weekly_measure(world)
        weekly_values(measure, world.high, FLAT)
        weekly_values(measure, world.middle, FLAT)
    decided_cycle(pdsa, "adopt", week(20), measures=[measure])
    decided_cycle(pdsa, "adopt", week(20), measures=[measure], team=pdsa.middle_team)
    result = evidence(pdsa)
    assert result.level == Level.NOT_SUPPORTED
    assert "Alpha High, Alpha Middle" in result.evidence.reasons[-1]


def test_facts_contexts_predictions_and_decisions(pdsa):
    decided_cycle(pdsa, "adopt", D(2025, 2, 10), scale="student_group", notes="Keep it.")
    decided_cycle(pdsa, "adopt", D(2025, 3, 10), scale="classroom")
    decided_cycle(pdsa, "abandon", D(2025, 3, 17), team=pdsa.middle_team, outcome="not_confirmed",
                  notes="It took too long.")
    result = evidence(pdsa)
    assert len(result.cycles) == 3 and [s.name for s in result.schools] == ["Alpha High", "Alpha Middle"]
    assert result.predictions == {"confirmed": 2, "not_confirmed": 1, "unclear": 0, "unanswered": 0}
    assert result.levels == [("High school", 2), ("Middle school", 1)]
    assert result.scales == [("One student group", 1), ("One classroom", 2)]
    assert result.groups == ["One 9th-grade algebra class"]
    assert [(c.decision, c.decision_notes) for c in result.decisions] == [
        ("adopt", "Keep it."), ("adopt", "Decided to adopt."), ("abandon", "It took too long."),
    ]
    # Adopted in one school and two confirmed cycles: below the defaults (2 schools, 3 cycles).
    assert result.level == Level.BEING_TESTED
    lower_thresholds(pdsa.world, promising_min_schools=1, promising_min_cycles=2)
    assert evidence(pdsa).level == Level.PROMISING


def stage(pdsa, school, stage, on, reason="Because."):
    with scope(cluster=pdsa.world.alpha):
        return SpreadStage.objects.create(cluster=pdsa.world.alpha, change_idea=pdsa.idea, school=school,
                                          stage=stage, started_on=on, reason=reason)


def test_stage_on_a_day_is_the_latest_record_on_or_before_it(pdsa):
    world = pdsa.world
    stage(pdsa, world.high, "testing", D(2025, 1, 6))
    stage(pdsa, world.high, "implementing", D(2025, 3, 3))
    key = (pdsa.idea.pk, world.high.pk)
    assert key not in services.stages_on(world.alpha, D(2025, 1, 5))
    assert services.stages_on(world.alpha, D(2025, 3, 2))[key].stage == "testing"
    assert services.stages_on(world.alpha, D(2025, 3, 3))[key].stage == "implementing"
    grid = services.grid(world.alpha, D(2025, 2, 1))
    assert [label for label, _ in grid.groups] == ["Innovation school", "Feeder school"]
    assert grid.groups[0][1][0].cells[grid.ideas.index(pdsa.idea)].stage == "testing"
    assert grid.groups[1][1][0].cells == [None]


def test_spread_changes_returns_the_records_in_the_window_inclusive(pdsa):
    world = pdsa.world
    first = stage(pdsa, world.high, "testing", D(2025, 1, 6))
    second = stage(pdsa, world.high, "implementing", D(2025, 3, 3))
    stage(pdsa, world.middle, "testing", D(2025, 4, 1))
    assert services.spread_changes(world.alpha, D(2025, 1, 6), D(2025, 3, 3)) == [first, second]
    assert services.spread_changes(world.alpha, D(2025, 1, 7), D(2025, 3, 31)) == [second]


def test_scaling_in_and_out_are_counted_apart(pdsa):
    world = pdsa.world
    stage(pdsa, world.high, "testing", D(2025, 1, 6))
    stage(pdsa, world.high, "implementing", D(2025, 3, 3))
    stage(pdsa, world.high, "sustained", D(2025, 9, 1))
    stage(pdsa, world.middle, "testing", D(2025, 4, 7), "Saw it at the convening.")
    stage(pdsa, world.middle, "implementing", D(2025, 6, 2))
    decided_cycle(pdsa, "adapt", D(2025, 1, 20), scale="student_group")
    larger = decided_cycle(pdsa, "adopt", D(2025, 2, 24), scale="grade_team")
    result = services.scaling(world.alpha, D(2025, 12, 31))
    assert [r.stage for r in result.deeper_stages] == ["implementing", "sustained"]
    assert result.larger_tests == [larger]
    assert result.scaling_in == 3
    assert [(r.school, r.stage) for r in result.reached_schools] == [(world.middle, "testing")]
    assert result.scaling_out == 1
    assert services.scaling(world.alpha, D(2025, 3, 31)).scaling_out == 0


def test_what_traveled_and_what_did_not(pdsa):
    world = pdsa.world
    with scope(cluster=world.alpha):
        at_large = School.objects.create(cluster=world.alpha, name="Alpha East High", level="high", role="at_large",
                                         lowest_grade=9, highest_grade=12)
        Team.objects.create(cluster=world.alpha, name="East team", kind="school_design", school=at_large)
    stage(pdsa, world.high, "testing", D(2025, 1, 6))
    stage(pdsa, world.middle, "testing", D(2025, 4, 7), "Saw it at the convening.")
    stage(pdsa, world.middle, "abandoned", D(2025, 6, 2), "No advisory period in our schedule.")
    stage(pdsa, at_large, "not_started", D(2025, 5, 5), "We wait for the innovation schools.")
    traveled, stopped = services.travel(world.alpha, D(2025, 12, 31))
    [entry] = traveled
    assert entry.first.school == world.high and [r.school for r in entry.reached] == [world.middle]
    [entry] = stopped
    assert [(r.school.name, r.reason) for r in entry.stopped] == [
        ("Alpha East High", "We wait for the innovation schools."),
        ("Alpha Middle", "No advisory period in our schedule."),
    ]
    assert services.travel(world.alpha, D(2025, 1, 31)) == ([], [])
