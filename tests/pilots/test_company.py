"""The company's view: a person of the company reads the suppressed report of its own pilot and nothing else."""

import re

import pytest
from django_scopes import scope, scopes_disabled

from improvenet.network.models import Organization, Person
from improvenet.pilots.report import ALL_SCHOOLS, pilot_report
from tests.conftest import make_user
from tests.pilots.conftest import make_pilot


@pytest.fixture
def company_user(piloted):
    user = make_user("lexia-rep")
    with scopes_disabled():
        Person.objects.create(cluster=piloted.world.alpha, given_name="Ana", family_name="Ruiz",
                              home_organization=piloted.company, user=user)
    return user


def test_small_cells_are_hidden_and_the_total_does_not_give_them_away(piloted):
    pilot = make_pilot(piloted, "analyze")
    with scope(cluster=piloted.world.alpha):
        report = pilot_report(pilot)
    first, second = sorted({row.week for row in report.rows})
    shown = [(row.week, row.school, row.active_students) for row in report.rows]
    assert shown == [
        (first, ALL_SCHOOLS, 60), (first, "Alpha High", 40), (first, "Alpha Middle", 20),
        # 4 students at Alpha Middle: hidden, and Alpha High with it, since the total would give it away.
        (second, ALL_SCHOOLS, 42), (second, "Alpha High", None), (second, "Alpha Middle", None),
    ]
    assert report.rows[0].minutes_per_student == pytest.approx(3400 / 60)
    assert report.minutes_per_student_week == pytest.approx((3400 + 2380) / 102)


def test_the_company_reads_its_pilot_report_and_nothing_else(piloted, client, company_user):
    pilot = make_pilot(piloted, "analyze")
    client.force_login(company_user)
    answer = client.get(f"/clusters/alpha/pilots/{pilot.pk}/report/")
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "Pilot report: Reading Coach 4.2 in Alpha" in page and "Alpha Middle" in page
    assert "– <span class=\"visually-hidden\">hidden</span>" in page
    assert "Menu" not in page, "no cluster menu: the company has no other page of the cluster"
    assert "its people see this page and nothing else" not in page, "the note is for the cluster's readers"
    assert "The company's report</span>" in page, "the breadcrumbs name the page"
    # Every link of the page leads somewhere the company's person may go: no crumbs into the cluster.
    links = set(re.findall(r'href="(/[^"#]*)"', page)) - {"/accounts/logout/"}
    assert links
    for link in links:
        assert client.get(link).status_code == 200, f"the report links to {link}, which its reader may not open"
    for elsewhere in ("/clusters/alpha/", "/clusters/alpha/pilots/", f"/clusters/alpha/pilots/{pilot.pk}/",
                      f"/clusters/alpha/pilots/{pilot.pk}/usage/", "/clusters/alpha/agreements/"):
        assert client.get(elsewhere).status_code == 404, elsewhere


def test_the_clusters_readers_read_the_report_inside_the_cluster(piloted, client):
    pilot = make_pilot(piloted, "analyze")
    client.force_login(piloted.world.users.viewer)
    page = client.get(f"/clusters/alpha/pilots/{pilot.pk}/report/").content.decode()
    assert "Pilot report: Reading Coach 4.2 in Alpha" in page and "Menu" in page
    assert "its people see this page and nothing else of the cluster" in page
    for crumb in ("/clusters/alpha/", "/clusters/alpha/pilots/", f"/clusters/alpha/pilots/{pilot.pk}/"):
        assert f'href="{crumb}"' in page, crumb


def test_another_companys_person_and_a_past_person_read_nothing(piloted, client, company_user):
    pilot = make_pilot(piloted, "implement")
    other = make_user("rival-rep")
    with scopes_disabled():
        rival = Organization.objects.create(cluster=piloted.world.alpha, name="Rival Ed", kind="company")
        Person.objects.create(cluster=piloted.world.alpha, given_name="Bo", family_name="Lee",
                              home_organization=rival, user=other)
    client.force_login(other)
    assert client.get(f"/clusters/alpha/pilots/{pilot.pk}/report/").status_code == 404
    with scopes_disabled():
        Person.objects.get(user=company_user).end(piloted.today)
    client.force_login(company_user)
    assert client.get(f"/clusters/alpha/pilots/{pilot.pk}/report/").status_code == 404


def test_the_company_reads_its_report_through_the_api_with_no_student_row(piloted, api_as, company_user):
    pilot = make_pilot(piloted, "analyze")
    api = api_as(company_user)
    answer = api.get(f"/clusters/alpha/pilots/{pilot.pk}/report")
    assert answer.status_code == 200
    body = answer.json()
    assert body["min_n"] == 10 and len(body["rows"]) == 6
    assert set(body["rows"][0]) == {"week", "school", "active_students", "minutes_per_student"}
    assert [row["active_students"] for row in body["rows"]][3:] == [42, None, None]
    assert api.get(f"/clusters/alpha/pilots/{pilot.pk}").status_code == 404
    assert api.get(f"/clusters/alpha/pilots/{pilot.pk}/usage").status_code == 404
    assert api_as(piloted.world.users.outsider).get(f"/clusters/alpha/pilots/{pilot.pk}/report").status_code == 404


def test_the_companys_person_finds_the_reports_of_its_pilots_on_their_home(piloted, client, company_user):
    client.force_login(company_user)
    page = client.get("/").content.decode()
    assert "Your products' pilots" in page
    assert "No cluster pilots your products yet. When a cluster lead starts a pilot" in page
    assert "You do not work in any cluster yet" not in page, "a company's person is told what they have"

    pilot = make_pilot(piloted, "implement")
    page = client.get("/").content.decode()
    assert f'href="/clusters/alpha/pilots/{pilot.pk}/report/">Report of Reading Coach pilot</a>' in page
    assert "Reading Coach 4.2 · Implement · Alpha" in page
    assert client.get(f"/clusters/alpha/pilots/{pilot.pk}/report/").status_code == 200

    with scopes_disabled():
        Person.objects.get(user=company_user).end(piloted.today)
    page = client.get("/").content.decode()
    assert "Your products' pilots" not in page and "You do not work in any cluster yet" in page


def test_no_one_else_sees_the_companys_reports_on_their_home(piloted, client):
    make_pilot(piloted, "implement")
    with scopes_disabled():
        Person.objects.create(cluster=piloted.world.alpha, given_name="Una", family_name="Lane",
                              home_organization=piloted.union, user=piloted.world.users.viewer)
    client.force_login(piloted.world.users.viewer)
    page = client.get("/").content.decode()
    assert "Your products' pilots" not in page and "Report of Reading Coach pilot" not in page
