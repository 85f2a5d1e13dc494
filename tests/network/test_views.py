from django_scopes import scope

from improvenet.network.models import Membership, School


def test_cluster_directory_shows_pyramids_teams_and_partners(world, client):
    client.force_login(world.users.viewer)
    page = client.get("/clusters/alpha/directory/").content.decode()
    assert "Alpha High" in page and "Alpha Middle" in page and "Alpha High design team" in page
    assert "Alpha USD" in page
    assert "Add a school" not in page  # a viewer is not offered changes


def test_lead_creates_a_school_through_the_form(world, client):
    client.force_login(world.users.lead)
    answer = client.post("/clusters/alpha/schools/new/", {
        "name": "Cedar Elementary", "level": "elementary", "role": "feeder", "lowest_grade": 0,
        "highest_grade": 5, "feeds_into": world.high.pk,
    })
    assert answer.status_code == 302
    with scope(cluster=world.alpha):
        cedar = School.objects.get(name="Cedar Elementary")
    assert answer["Location"] == f"/clusters/alpha/schools/{cedar.pk}/"


def test_form_errors_are_shown_next_to_the_fields_and_in_a_summary(world, client):
    client.force_login(world.users.lead)
    answer = client.post("/clusters/alpha/schools/new/", {
        "name": "Dup", "level": "elementary", "role": "feeder", "lowest_grade": 0, "highest_grade": 5,
        "feeds_into": world.high.pk, "nces_id": "170000100001",
    })
    page = answer.content.decode()
    assert answer.status_code == 422
    assert 'role="alert"' in page and "already has NCES id 170000100001" in page


def test_another_clusters_school_cannot_be_chosen_in_a_form(world, client):
    client.force_login(world.users.lead)
    page = client.get("/clusters/alpha/schools/new/").content.decode()
    assert "Alpha High" in page and "Beta High" not in page
    answer = client.post("/clusters/alpha/schools/new/", {
        "name": "X", "level": "elementary", "role": "feeder", "lowest_grade": 0, "highest_grade": 5,
        "feeds_into": world.beta_school.pk,
    })
    assert answer.status_code == 422


def test_team_page_shows_current_and_past_members(world, client):
    with scope(cluster=world.alpha):
        Membership.objects.create(team=world.team, person=world.person, role="Teacher", started_on="2023-08-01",
                                  ended_on="2024-06-01")
    client.force_login(world.users.member)
    page = client.get(f"/clusters/alpha/teams/{world.team.pk}/").content.decode()
    past = page[page.index("Past members"):]
    assert "Past members (1)" in page and "Rosa Diaz" in past and "June 1, 2024" in past


def test_ending_a_membership_from_the_team_page(world, client):
    with scope(cluster=world.alpha):
        membership = Membership.objects.create(team=world.team, person=world.person, role="Chair",
                                               started_on="2024-08-01")
    client.force_login(world.users.lead)
    answer = client.post(f"/clusters/alpha/memberships/{membership.pk}/end/", {"ended_on": "2026-01-31"}, follow=True)
    assert "It stays in the history" in answer.content.decode()
    membership.refresh_from_db()
    assert str(membership.ended_on) == "2026-01-31"


def test_people_search_answers_htmx_with_only_the_rows(world, client):
    client.force_login(world.users.viewer)
    answer = client.get("/clusters/alpha/people/", {"q": "dia"}, HTTP_HX_REQUEST="true").content.decode()
    assert answer.lstrip().startswith('<div id="people-rows"') and "Rosa Diaz" in answer
    assert "<html" not in answer
    assert "No one matches" in client.get("/clusters/alpha/people/", {"q": "zzz"}).content.decode()


def test_pages_have_landmarks_labels_and_a_skip_link(world, client):
    client.force_login(world.users.lead)
    page = client.get("/clusters/alpha/schools/new/").content.decode()
    assert 'href="#main"' in page and '<main id="main"' in page and "<header" in page and "<footer" in page
    for field in ("id_name", "id_level", "id_feeds_into", "id_nces_id"):
        assert f'for="{field}"' in page


def test_vendored_and_own_assets_are_served_without_a_cdn(world, client):
    client.force_login(world.users.viewer)
    page = client.get("/clusters/alpha/").content.decode()
    assets = [part.split('"')[0] for part in page.split('src="')[1:] + page.split('href="')[1:]
              if part.startswith("/static/")]
    assert "/static/improvenet/vendor/htmx-2.0.11.min.js" in assets and "http" not in "".join(assets)
    for asset in assets:
        assert client.get(asset).status_code == 200
