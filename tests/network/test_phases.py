"""A cluster's phases: the timeline rules, the pages, the API and the demo timeline."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled
from hypothesis import given
from hypothesis import strategies as st

from improvenet.lib.errors import Conflict
from improvenet.network.models import Phase, PhaseRole, Span, timeline_problems
from improvenet.resources import save_checked

D = datetime.date
TODAY = datetime.date.today()


def phase(world, stage, starts_on, ends_on=None, **extra):
    with scope(cluster=world.alpha):
        return Phase.objects.create(cluster=world.alpha, stage=stage, starts_on=starts_on, ends_on=ends_on, **extra)


def checked(world, stage, starts_on, ends_on=None):
    candidate = Phase(cluster=world.alpha, stage=stage, starts_on=starts_on, ends_on=ends_on)
    with scope(cluster=world.alpha):
        save_checked(candidate)
    return candidate


# The rules, for all inputs ----------------------------------------------------------------------

@given(st.lists(st.integers(1, 400), min_size=5, max_size=5), st.lists(st.integers(0, 200), min_size=5, max_size=5))
def test_phases_one_after_another_in_order_have_no_problem(gaps, lengths):
    spans, day = [], D(2020, 1, 1)
    for order, (gap, length) in enumerate(zip(gaps, lengths, strict=True)):
        starts_on = day + datetime.timedelta(days=gap)
        ends_on = starts_on + datetime.timedelta(days=length)
        spans.append(Span(f"stage {order}", order, starts_on, None if order == 4 else ends_on))
        day = ends_on
    for span in spans:
        assert timeline_problems(span, [other for other in spans if other is not span]) == {}


@given(st.integers(0, 100), st.integers(0, 100), st.integers(0, 100))
def test_any_shared_day_is_an_overlap(first_length, shift, second_length):
    first = Span("Research", 0, D(2024, 1, 1), D(2024, 1, 1) + datetime.timedelta(days=first_length))
    second_start = D(2024, 1, 2) + datetime.timedelta(days=min(shift, first_length - 1 if first_length else 0))
    second = Span("Design", 1, second_start, second_start + datetime.timedelta(days=second_length))
    overlaps = second.starts_on <= first.ends_on
    assert bool(timeline_problems(second, [first])) == overlaps


def test_an_end_before_the_start_is_refused():
    assert timeline_problems(Span("Research", 0, D(2024, 5, 1), D(2024, 4, 1)), []) == {
        "ends_on": "A phase cannot end before it starts."}


def test_an_open_earlier_phase_overlaps_every_later_one():
    problems = timeline_problems(Span("Design", 1, D(2025, 1, 1), None), [Span("Research", 0, D(2024, 1, 1), None)])
    assert "overlaps “Research” (January 1, 2024 to no end date yet)" in problems["starts_on"]


def test_stages_keep_their_order():
    problems = timeline_problems(Span("Research", 0, D(2025, 1, 1), D(2025, 2, 1)),
                                 [Span("Design", 1, D(2024, 1, 1), D(2024, 6, 1))])
    assert problems == {"starts_on": "“Research” comes before “Design”, which starts on January 1, 2024: "
                                     "start it earlier."}


# The model --------------------------------------------------------------------------------------

def test_model_refuses_overlap_and_duplicate_stage(world):
    phase(world, Phase.Stage.RESEARCH, D(2024, 1, 1), D(2024, 6, 30))
    with pytest.raises(ValidationError) as refused:
        checked(world, Phase.Stage.DESIGN, D(2024, 6, 1), D(2024, 12, 31))
    assert "overlaps “Research”" in refused.value.message_dict["starts_on"][0]
    with pytest.raises(Conflict, match="already has a “Research” phase"):
        checked(world, Phase.Stage.RESEARCH, D(2023, 1, 1), D(2023, 6, 30))
    assert checked(world, Phase.Stage.DESIGN, D(2024, 7, 1)).stage == Phase.Stage.DESIGN


def test_phases_are_scoped_to_their_cluster(world):
    phase(world, Phase.Stage.RESEARCH, D(2024, 1, 1))
    with scope(cluster=world.beta):
        assert not Phase.objects.exists()
        # Another cluster's timeline does not constrain this one.
        candidate = Phase(cluster=world.beta, stage=Phase.Stage.DESIGN, starts_on=D(2024, 3, 1))
        candidate.full_clean()


# Pages ------------------------------------------------------------------------------------------

def test_cluster_overview_names_the_current_phase_and_the_phases_page_its_roles(world, client):
    phase(world, Phase.Stage.RESEARCH, D(2020, 1, 1), TODAY - datetime.timedelta(days=10))
    current = phase(world, Phase.Stage.DESIGN, TODAY - datetime.timedelta(days=9), summary="Drafting measures.")
    with scope(cluster=world.alpha):
        PhaseRole.objects.create(phase=current, team_kind="data", description="Sets up weekly data entry.")
    client.force_login(world.users.viewer)
    page = client.get("/clusters/alpha/").content.decode()
    assert "<strong>Design and development</strong>, since" in page and "Drafting measures." in page
    page = client.get("/clusters/alpha/phases/").content.decode()
    assert 'aria-current="step"' in page and "Sets up weekly data entry." in page
    assert "Add a phase" not in page


def test_lead_adds_a_phase_with_roles_through_the_form(world, client):
    client.force_login(world.users.lead)
    answer = client.post("/clusters/alpha/phases/new/", {
        "stage": "research", "starts_on": "2024-01-01", "ends_on": "2024-06-30", "summary": "Listening.",
        "role_standing_panel": "Sets priorities.", "role_data": "",
    })
    assert answer.status_code == 302 and answer["Location"] == "/clusters/alpha/phases/"
    with scope(cluster=world.alpha):
        saved = Phase.objects.get()
        assert list(saved.roles.values_list("team_kind", "description")) == [("standing_panel", "Sets priorities.")]
    edit = client.post(f"/clusters/alpha/phases/{saved.pk}/edit/", {
        "stage": "research", "starts_on": "2024-01-01", "ends_on": "2024-06-30", "role_data": "Builds the store."})
    assert edit.status_code == 302
    with scope(cluster=world.alpha):
        assert list(saved.roles.values_list("team_kind", flat=True)) == ["data"]


def test_form_shows_a_clear_message_and_saves_nothing_on_overlap(world, client):
    phase(world, Phase.Stage.RESEARCH, D(2024, 1, 1), D(2024, 6, 30))
    client.force_login(world.users.lead)
    answer = client.post("/clusters/alpha/phases/new/", {
        "stage": "design", "starts_on": "2024-05-01", "role_data": "Something."})
    assert answer.status_code == 422
    assert "This overlaps “Research” (January 1, 2024 to June 30, 2024)" in answer.content.decode()
    with scope(cluster=world.alpha):
        assert Phase.objects.count() == 1 and not PhaseRole.objects.exists()


def test_only_leads_and_admins_change_phases(world, client):
    research = phase(world, Phase.Stage.RESEARCH, D(2024, 1, 1))
    for user, answer in ((world.users.member, 403), (world.users.viewer, 403), (world.users.outsider, 404),
                         (world.users.admin, 200)):
        client.force_login(user)
        assert client.get(f"/clusters/alpha/phases/{research.pk}/edit/").status_code == answer
    client.force_login(world.users.outsider)
    assert client.get("/clusters/alpha/phases/").status_code == 404


# API --------------------------------------------------------------------------------------------

def test_api_creates_lists_and_changes_phases(world, api_as):
    api = api_as(world.users.lead)
    created = api.post("/clusters/alpha/phases", {
        "stage": "research", "starts_on": str(TODAY - datetime.timedelta(days=30)), "summary": "Listening.",
        "roles": [{"team_kind": "standing_panel", "description": "Sets priorities."}]})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["stage_label"] == "Research" and body["is_current"]
    assert body["roles"][0]["team_kind"] == "standing_panel"
    listed = api_as(world.users.viewer).get("/clusters/alpha/phases").json()
    assert listed["count"] == 1 and listed["current_id"] == body["id"]
    changed = api.patch(f"/clusters/alpha/phases/{body['id']}", {
        "roles": [{"team_kind": "data", "description": "Builds the store."}]})
    assert changed.status_code == 200 and [r["team_kind"] for r in changed.json()["roles"]] == ["data"]
    assert changed.json()["summary"] == "Listening."


def test_api_answers_422_409_403_and_404(world, api_as):
    api = api_as(world.users.lead)
    first = api.post("/clusters/alpha/phases", {"stage": "research", "starts_on": "2024-01-01"}).json()
    overlap = api.post("/clusters/alpha/phases", {"stage": "design", "starts_on": "2023-06-01"})
    assert overlap.status_code == 422 and "starts_on" in str(overlap.json())
    assert api.post("/clusters/alpha/phases", {"stage": "research", "starts_on": "2020-01-01"}).status_code == 409
    twice = api.post("/clusters/alpha/phases", {"stage": "scale_out", "starts_on": "2030-01-01", "roles": [
        {"team_kind": "data", "description": "a"}, {"team_kind": "data", "description": "b"}]})
    assert twice.status_code == 422
    viewer = api_as(world.users.viewer)
    assert viewer.patch(f"/clusters/alpha/phases/{first['id']}", {"summary": "x"}).status_code == 403
    assert api_as(world.users.outsider).get(f"/clusters/alpha/phases/{first['id']}").status_code == 404
    assert api_as(world.users.outsider).get(f"/clusters/beta/phases/{first['id']}").status_code == 404
    with scope(cluster=world.alpha):
        assert Phase.objects.count() == 1



def test_api_odd_input_is_a_clear_422_or_404_never_a_server_error(world, api_as):
    api = api_as(world.users.lead)
    first = api.post("/clusters/alpha/phases", {"stage": "research", "starts_on": "2024-01-01",
                                                "ends_on": "2024-06-30"}).json()
    assert api.post("/clusters/alpha/phases", {"stage": "scale_out", "starts_on": "2031-01-01",
                                               "summary": "Fine."}).status_code == 201
    for body in ({"stage": "nonsense", "starts_on": "2024-01-01"}, {"stage": "design", "starts_on": "2024-02-30"},
                 {"stage": "design", "starts_on": 20240101.5}, {"stage": "design", "starts_on": "2025-01-01",
                                                                "roles": "all"},
                 {"stage": "design", "starts_on": "2025-01-01", "ends_on": "2025-06-30", "summary": "a\x00b"},
                 {"stage": "design", "starts_on": "2025-01-01", "ends_on": "2025-06-30",
                  "roles": [{"team_kind": "data", "description": "a\x00b"}]}):
        answer = api.post("/clusters/alpha/phases", body)
        assert answer.status_code == 422, (body, answer.status_code)
    assert api.patch(f"/clusters/alpha/phases/{first['id']}", {"ends_on": "garbage"}).status_code == 422
    assert api.get(f"/clusters/alpha/phases/{2**70}").json()["errors"][0]["field"] == "phase_id"
    with scope(cluster=world.alpha):
        assert Phase.objects.count() == 2


# Demo -------------------------------------------------------------------------------------------

def test_demo_gives_riverside_five_dated_phases_with_team_roles(db):
    from improvenet.demo.phases import create_phases_demo
    from improvenet.network.models import Cluster, Network

    with scopes_disabled():
        network = Network.objects.create(slug="great-lakes", name="Great Lakes")
        riverside = Cluster.objects.create(network=network, slug="riverside", name="Riverside")
        create_phases_demo(1, lambda message: None)
        phases = list(Phase.objects.filter(cluster=riverside).order_by("starts_on"))
        for one in phases:
            one.full_clean()  # the demo timeline follows its own rules
        assert [p.stage for p in phases] == list(Phase.Stage.values)
        kinds = set(PhaseRole.objects.filter(phase__cluster=riverside).values_list("team_kind", flat=True))
    assert kinds == {"district_design", "school_design", "data", "standing_panel"}
    current = [p for p in phases if p.is_current(D(2026, 3, 1))]
    assert [p.stage for p in current] == ["initial_implementation"]
