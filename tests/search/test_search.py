"""Searching through the pages and the API: ranking, highlighting, filters, pages, and who reads what."""

import datetime

import pytest
from django.test import Client
from django_scopes import scope, scopes_disabled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from improvenet.design.models import ChangeIdea
from improvenet.search.index import rebuild_index
from improvenet.search.results import Filters, find
from tests.conftest import make_user

D = datetime.date
PAGE = "/clusters/alpha/search/"


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def found(cluster, text="", **filters) -> list[str]:
    with scope(cluster=cluster):
        return [result.document.title for result in find(Filters(text=text, **filters)).results]


def test_words_in_the_title_rank_above_words_in_the_body(searchable):
    world = searchable.world
    with scopes_disabled():
        ChangeIdea.objects.create(cluster=world.alpha, title="Ordinary routines",
                                  description="Teachers start with a conference about goals.")
        ChangeIdea.objects.create(cluster=world.alpha, title="Conference days")
    titles = found(world.alpha, "conference")
    assert titles[0] == "Conference days"
    assert titles.index("Advisors hold weekly goal conferences") < titles.index("Ordinary routines")


def test_stems_and_the_half_typed_last_word_match(searchable):
    world = searchable.world
    assert found(world.alpha, "conference advisor") == ["Advisors hold weekly goal conferences"]
    assert found(world.alpha, "exit tick") == ["Exit tickets in sixth grade math"]
    assert found(world.alpha, "tick exit") == []


def test_the_page_marks_the_matches_and_escapes_what_users_wrote(searchable):
    world = searchable.world
    with scopes_disabled():
        ChangeIdea.objects.create(cluster=world.alpha, title="<script>alert(1)</script> goal walls",
                                  description='Walls of goals <img src=x onerror="alert(2)"> & more goal talk')
    page = client_of(world.users.viewer).get(PAGE, {"q": "goal walls"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>goal</mark> <mark>walls</mark>" in html
    # SQLite shows the tag as escaped text; PostgreSQL's snippet leaves out what its parser takes for markup.
    assert "&amp; more <mark>goal</mark> talk" in html
    assert "<script>alert" not in html and "<img src=x" not in html


def test_a_lakeside_user_never_sees_another_clusters_text(searchable):
    world = searchable.world
    outsider = client_of(world.users.outsider)  # beta's lead
    assert outsider.get(PAGE, {"q": "goal"}).status_code == 404
    beta = outsider.get("/clusters/beta/search/", {"q": "goal conferences"}).content.decode()
    assert "Zanzibar" in beta and "Advisors hold weekly" not in beta
    everywhere = outsider.get("/search/", {"q": "goal"}).content.decode()
    assert "Confidential" in everywhere and "Advisors hold" not in everywhere
    alpha = client_of(world.users.member).get("/search/", {"q": "goal"}).content.decode()
    assert "Advisors hold weekly" in alpha and "Confidential" not in alpha and "Zanzibar" not in alpha
    admin = client_of(world.users.admin).get("/search/", {"q": "goal conferences"}).content.decode()
    assert "Advisors hold weekly" in admin and "Confidential" in admin


def test_a_user_of_no_cluster_finds_nothing(searchable, api_as):
    loner = make_user("loner")
    assert "Nothing found" in client_of(loner).get("/search/", {"q": "goal"}).content.decode()
    assert api_as(loner).get("/search", q="goal").json()["count"] == 0


def test_a_cluster_shared_with_the_network_is_searchable_by_its_other_members(searchable):
    world = searchable.world
    with scopes_disabled():
        world.beta.shares_with_network = True
        world.beta.save()
    everywhere = client_of(world.users.member).get("/search/", {"q": "zanzibar"}).content.decode()
    assert "Confidential goal conferences in Beta" in everywhere and "Zanzibar</mark>" in everywhere
    only_alpha = client_of(world.users.member).get("/search/", {"q": "zanzibar", "cluster": "alpha"})
    assert "Confidential" not in only_alpha.content.decode()


def test_the_filters_narrow_the_results(searchable):
    world, idea = searchable.world, searchable.pdsa.idea
    both = ["Advisors hold weekly goal conferences", "Exit tickets in sixth grade math"]
    assert sorted(found(world.alpha, "", kind="cycle")) == both
    assert found(world.alpha, "", kind="cycle", school_id=world.middle.pk) == both[1:]
    assert found(world.alpha, "", kind="cycle", date_from=D(2025, 9, 1)) == both[1:]
    assert found(world.alpha, "", kind="cycle", date_to=D(2025, 1, 31)) == both[:1]
    assert "Weekly goal-setting conferences" in found(world.alpha, "weekly", change_idea_id=idea.pk)
    assert found(world.alpha, "weekly", change_idea_id=world.lessons.pk) == []
    page = client_of(world.users.viewer).get(PAGE, {"q": "", "school": world.middle.pk, "kind": "cycle"})
    assert "Exit tickets in sixth grade math" in page.content.decode()
    assert "newest first" in page.content.decode()


def test_filters_of_another_cluster_or_backwards_dates_are_explained(searchable):
    world = searchable.world
    client = client_of(world.users.viewer)
    page = client.get(PAGE, {"q": "goal", "school": world.beta_school.pk})
    assert page.status_code == 200 and "School: Select a valid choice" in page.content.decode()
    page = client.get(PAGE, {"q": "goal", "date_from": "2025-02-01", "date_to": "2025-01-01"})
    assert "The end of the date range is before its start." in page.content.decode()


def test_results_come_in_pages(searchable):
    world = searchable.world
    with scopes_disabled():
        ChangeIdea.objects.bulk_create(
            ChangeIdea(cluster=world.alpha, title=f"Tutoring variant {n:02}") for n in range(45))
    rebuild_index()
    with scope(cluster=world.alpha):
        third = find(Filters(text="tutoring variant"), number=3)
    assert (third.count, third.pages, len(third.results), third.first_shown, third.has_next) == (45, 3, 5, 41, False)
    html = client_of(world.users.viewer).get(PAGE, {"q": "tutoring", "page": "2"}).content.decode()
    assert "21–40 of 45 results" in html and "Page 2 of 3" in html
    assert 'href="?q=tutoring&amp;page=3"' in html and 'href="?q=tutoring&amp;page=1"' in html
    assert "Page 1 of 3" in client_of(world.users.viewer).get(PAGE, {"q": "tutoring", "page": "x"}).content.decode()


def test_htmx_gets_only_the_results(searchable):
    client = client_of(searchable.world.users.viewer)
    partial = client.get(PAGE, {"q": "goal"}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<section id="search-results"') and "<form" not in partial
    full = client.get(PAGE, {"q": "goal"}).content.decode()
    assert 'hx-get="/clusters/alpha/search/"' in full and 'role="search"' in full
    assert 'aria-live="polite"' in full


def test_an_empty_or_operator_only_query_asks_for_words(searchable):
    client = client_of(searchable.world.users.viewer)
    assert "Type a word to search." in client.get(PAGE).content.decode()
    assert "Type a word to search (letters or digits)" in client.get(PAGE, {"q": '"* ( -'}).content.decode()
    assert "Nothing found for “near”" in client.get(PAGE, {"q": 'NEAR("'}).content.decode()


@pytest.fixture
def viewer_client(searchable):
    return client_of(searchable.world.users.viewer)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=60) | st.sampled_from(['"', "*", "NEAR(", 'goal"', "a OR", "NOT", "col:x", "^x", "'", "\\"]))
def test_any_text_query_answers_200_on_the_page_and_the_api(viewer_client, searchable, api_as, text):
    assert viewer_client.get(PAGE, {"q": text}).status_code == 200
    answer = api_as(searchable.world.users.viewer).get("/clusters/alpha/search", q=text)
    # The API refuses a NUL character in any text it is sent, naming where (docs/api.md).
    assert answer.status_code == (422 if "\x00" in text else 200)


# API ---------------------------------------------------------------------------------------------


def test_the_api_returns_ranked_marked_results(searchable, api_as):
    world = searchable.world
    answer = api_as(world.users.viewer).get("/clusters/alpha/search", q="exit tick", kind="cycle")
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 1 and body["words"] == ["exit", "tick"]
    (item,) = body["items"]
    assert item["id"] == searchable.middle.pk and item["kind"] == "cycle" and item["cluster"] == "alpha"
    assert item["title_html"] == "<mark>Exit</mark> <mark>tickets</mark> in sixth grade math"
    assert item["school"] == "Alpha Middle" and item["url"] == f"/clusters/alpha/cycles/{searchable.middle.pk}/"


def test_the_api_refuses_unknown_filters_by_name(searchable, api_as):
    api = api_as(searchable.world.users.viewer)
    answer = api.get("/clusters/alpha/search", q="goal", school_id=searchable.world.beta_school.pk)
    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"field": "school_id", "message": (
        f"There is no school with id {searchable.world.beta_school.pk} in this cluster.")}]
    answer = api.get("/clusters/alpha/search", q="goal", kind="poems")
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "kind"
    assert api.get("/search", q="goal", cluster="beta").status_code == 422


def test_the_api_reads_only_the_callers_clusters(searchable, api_as):
    world = searchable.world
    outsider = api_as(world.users.outsider)
    assert outsider.get("/clusters/alpha/search", q="goal").status_code == 404
    titles = [item["title"] for item in outsider.get("/search", q="goal").json()["items"]]
    assert titles == ["Confidential goal conferences in Beta"]
    assert api_as(None).get("/search", q="goal").status_code == 401


@pytest.mark.parametrize("page_number", ["²", "-1", "0", "9" * 30, "abc"])
def test_a_strange_page_number_shows_the_first_page(client, world, page_number):
    client.force_login(world.users.lead)
    answer = client.get("/clusters/alpha/search/", {"q": "goal", "page": page_number})
    assert answer.status_code == 200


@pytest.mark.parametrize("school_id", ["9223372036854775808", "0", "-4"])
def test_an_impossible_school_id_is_a_422_naming_the_field(api_as, world, school_id):
    answer = api_as(world.users.lead).get("/clusters/alpha/search", q="goal", school_id=school_id)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "school_id"
