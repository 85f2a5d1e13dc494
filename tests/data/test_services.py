"""Loads, reads under agreements and the audit log, through the functions every page and command uses."""


import pytest
from django.core.exceptions import PermissionDenied
from django_scopes import scope, scopes_disabled

from improvenet.analytics import engines
from improvenet.analytics.store import Store
from improvenet.data import services
from improvenet.data.models import AuditEvent, DataLoad
from improvenet.network.access import cluster_for_user
from improvenet.network.models import Membership, Person
from tests.data.conftest import START_YEAR, bundle_with, make_agreement


def access_of(user, world):
    return cluster_for_user(user, world.alpha.slug)


def load_as(user, data_world, path):
    world = data_world.world
    access = access_of(user, world)
    with scope(cluster=world.alpha):
        return services.load(user, access, path, channel="web")


def test_a_load_is_recorded_and_loading_again_changes_nothing(data_world, district):
    lead = data_world.world.users.lead
    first = load_as(lead, data_world, district)
    assert first.record.status == DataLoad.Status.LOADED
    assert first.record.format == "bundle"
    assert first.record.rows["student"]["new"] > 1000
    counts = Store(data_world.store).counts()
    again = load_as(lead, data_world, district)
    assert again.record.rows["student"] == {"new": 0, "replaced": first.record.rows["student"]["new"]}
    assert Store(data_world.store).counts() == counts | {"load_log": 2}


def test_a_broken_bundle_is_refused_naming_file_and_line_and_writes_nothing(data_world, district, tmp_path):
    broken = tmp_path / "broken"
    bundle_with(district, broken, "enrollments.csv", 4, "grade_level", "thirteen")
    outcome = load_as(data_world.world.users.lead, data_world, broken)
    assert outcome.record.status == DataLoad.Status.REFUSED
    assert outcome.record.error_count == 1
    assert "enrollments.csv, line 4, column grade_level" in outcome.record.errors[0]
    assert "nothing was loaded" in outcome.lines[0]
    assert Store(data_world.store).counts()["student"] == 0


def test_loading_without_a_pseudonym_key_says_how_to_set_one(data_world, district, monkeypatch):
    monkeypatch.delenv("IMPROVENET_PSEUDONYM_KEY")
    with pytest.raises(services.DataSetupError, match="IMPROVENET_PSEUDONYM_KEY"):
        load_as(data_world.world.users.lead, data_world, district)
    with scopes_disabled():
        assert not DataLoad.objects.exists()


@pytest.mark.parametrize("who", ["member", "researcher", "viewer"])
def test_only_the_lead_and_the_data_team_load(data_world, district, who):
    with pytest.raises(PermissionDenied, match="data team"):
        load_as(getattr(data_world.world.users, who), data_world, district)


def test_a_data_team_member_loads(data_world, district):
    world = data_world.world
    with scopes_disabled():
        person = Person.objects.create(cluster=world.alpha, given_name="Dee", family_name="Ta",
                                       user=world.users.member)
        Membership.objects.create(team=data_world.data_team, person=person, role="Analyst", started_on="2024-01-01")
    assert load_as(world.users.member, data_world, district).record.status == DataLoad.Status.LOADED


def read_as(user, data_world, name="chronic-absenteeism", **kwargs):
    world = data_world.world
    with scope(cluster=world.alpha):
        return services.read_metric(user, access_of(user, world), name, kwargs.pop("options", {}), channel="web",
                                    **kwargs)


def test_a_researcher_without_an_agreement_is_refused_and_nothing_is_computed(data_world, district):
    load_as(data_world.world.users.lead, data_world, district)
    with pytest.raises(PermissionDenied, match="no data use agreement"):
        read_as(data_world.world.users.researcher, data_world)
    with scopes_disabled():
        assert not AuditEvent.objects.exists()


def test_an_agreement_without_the_metric_fields_is_refused_naming_them(data_world, district):
    load_as(data_world.world.users.lead, data_world, district)
    make_agreement(data_world, fields=("student.*", "student_school_association.*"))
    with pytest.raises(PermissionDenied) as refused:
        read_as(data_world.world.users.researcher, data_world)
    assert "calendar_date.*" in str(refused.value)
    assert "student_school_attendance_event.*" in str(refused.value)


def test_a_researcher_reads_under_an_agreement_and_the_read_is_audited(data_world, district):
    world = data_world.world
    load_as(world.users.lead, data_world, district)
    agreement = make_agreement(data_world)
    result = read_as(world.users.researcher, data_world, options={"school_year": START_YEAR})
    schools = set(result.table.column("school_id").to_pylist())
    assert schools == {"AH", "AM", "AE", "CH", "CM", "CE", "ALL"}, "only the cluster's schools and the district row"
    with scopes_disabled():
        event = AuditEvent.objects.get()
    assert (event.username, event.channel, event.agreement) == ("researcher", "web", agreement)
    assert event.action == "metric chronic-absenteeism"
    assert event.detail["rows"] == result.table.num_rows
    assert event.detail["options"] == {"school_year": START_YEAR, "min_n": 10}


def test_suppressed_rows_show_no_counts(data_world, district):
    load_as(data_world.world.users.lead, data_world, district)
    rows = read_as(data_world.world.users.lead, data_world, min_n=50).table.to_pylist()
    suppressed = [row for row in rows if row["suppressed"]]
    assert suppressed, "a minimum of 50 hides some groups of this small district"
    assert all(row["students"] is None and row["chronic"] is None and row["rate"] is None for row in suppressed)


def test_only_the_districts_own_readers_may_lower_the_minimum(data_world, district):
    load_as(data_world.world.users.lead, data_world, district)
    make_agreement(data_world)
    with pytest.raises(PermissionDenied, match="below 10"):
        read_as(data_world.world.users.researcher, data_world, min_n=3)


def test_difference_in_differences_compares_innovation_with_comparison_schools(data_world, district):
    world = data_world.world
    load_as(world.users.lead, data_world, district)
    with scope(cluster=world.alpha):
        outcome = services.analyze_did(world.users.lead, access_of(world.users.lead, world), "chronic-absenteeism",
                                       treated_role="innovation", start_year=START_YEAR, channel="cli")
    assert [school.name for school in outcome.treated] == ["Alpha Elementary", "Alpha High", "Alpha Middle"]
    assert [school.name for school in outcome.comparison] == ["Cedar Elementary", "Cedar High", "Cedar Middle"]
    assert outcome.result.effect.coefficient < 0, "the synthetic innovation school improves its attendance"
    with scopes_disabled():
        assert list(AuditEvent.objects.values_list("action", flat=True)) == [
            "analysis did chronic-absenteeism", "metric chronic-absenteeism"
        ]


def test_a_kept_result_is_still_authorized_and_audited_on_every_read(data_world, district, monkeypatch):
    world = data_world.world
    load_as(world.users.lead, data_world, district)
    agreement = make_agreement(data_world)
    first = read_as(world.users.researcher, data_world)

    def no_computing(*args, **kwargs):
        raise AssertionError("a kept result was computed again")

    monkeypatch.setattr(engines, "open_tables", no_computing)
    second = read_as(world.users.researcher, data_world)
    assert second.table.equals(first.table)
    with scopes_disabled():
        events = list(AuditEvent.objects.order_by("pk"))
        assert [(e.action, e.agreement, e.detail["kept_result"]) for e in events] == [
            ("metric chronic-absenteeism", agreement, False), ("metric chronic-absenteeism", agreement, True)]
        agreement.researchers.clear()
    with pytest.raises(PermissionDenied, match="no data use agreement"):
        read_as(world.users.researcher, data_world)
    with scopes_disabled():
        assert AuditEvent.objects.count() == 2, "a refused read writes no event and reads nothing"


def test_an_opt_out_makes_the_next_read_compute_again(data_world, district):
    world = data_world.world
    load_as(world.users.lead, data_world, district)
    before = read_as(world.users.lead, data_world).table
    student = (district / "students.csv").read_text().splitlines()[1].split(",")[0].strip('"')
    with scope(cluster=world.alpha):
        services.opt_out(world.users.lead, access_of(world.users.lead, world), student, channel="web")
    after = read_as(world.users.lead, data_world)
    with scopes_disabled():
        assert AuditEvent.objects.filter(action__startswith="metric").latest("pk").detail["kept_result"] is False
    assert sum(after.table.column("students").drop_null().to_pylist()) < sum(
        before.column("students").drop_null().to_pylist()), "the opted-out student is no longer counted"
