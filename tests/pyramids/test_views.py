"""The pyramid pages: pyramids side by side, one pyramid with its schools, and the store's metrics."""

import pytest
from django_scopes import scopes_disabled

from improvenet.data.models import AuditEvent
from improvenet.network.models import School


def test_dashboard_shows_each_school_beside_the_whole_pyramid(measured, client):
    world = measured.world
    client.force_login(world.users.viewer)
    page = client.get(f"/clusters/alpha/pyramid-dashboards/{world.high.pk}/").content.decode()
    assert "Alpha High pyramid dashboard" in page
    # January 2025: Alpha High 243 of 400, Alpha Middle 206 of 400, the pyramid 449 of 800.
    assert "<th scope=\"row\">January 2025</th><td>56.1%</td><td>60.8%</td><td>51.5%</td>" in page
    assert "Whole pyramid" in page and 'id="measure-chart-on-track-spec"' in page
    assert "Family contacts" not in page  # process measures are not outcome measures


def test_the_charts_are_valid_vega_lite(measured, client):
    from improvenet.spc.vega import to_svg

    world = measured.world
    client.force_login(world.users.viewer)
    for url in (f"/clusters/alpha/pyramid-dashboards/{world.high.pk}/", "/clusters/alpha/pyramid-dashboards/"):
        (entry,) = client.get(url).context["measures"]
        svg = to_svg(entry["spec"])
        assert "Alpha High" in svg and "9th graders on track" in svg


def test_without_a_store_the_measures_are_still_shown_and_the_page_says_why(measured, client):
    world = measured.world
    client.force_login(world.users.lead)
    page = client.get("/clusters/alpha/pyramid-dashboards/").content.decode()
    assert "The longitudinal data has not been loaded for this cluster yet" in page
    assert "9th graders on track" in page and "Innovation pyramids" in page
    client.force_login(world.users.viewer)
    page = client.get("/clusters/alpha/pyramid-dashboards/").content.decode()
    assert "Your role does not open the district&#x27;s student data" in page


def test_a_pyramid_is_named_by_a_high_school_of_the_cluster(measured, client):
    world = measured.world
    client.force_login(world.users.lead)
    assert client.get(f"/clusters/alpha/pyramid-dashboards/{world.middle.pk}/").status_code == 404
    assert client.get(f"/clusters/alpha/pyramid-dashboards/{world.beta_school.pk}/").status_code == 404
    client.force_login(world.users.outsider)
    assert client.get(f"/clusters/alpha/pyramid-dashboards/{world.high.pk}/").status_code == 404
    assert client.get("/clusters/alpha/pyramid-dashboards/").status_code == 404


def test_innovation_and_comparison_pyramids_share_one_chart_with_panels(measured, client):
    world = measured.world
    with scopes_disabled():
        cedar = School.objects.create(cluster=world.alpha, name="Cedar High", level="high", role="comparison",
                                      lowest_grade=9, highest_grade=12)
    client.force_login(world.users.member)
    answer = client.get("/clusters/alpha/pyramid-dashboards/")
    page = answer.content.decode()
    assert "Comparison pyramids" in page and f"/pyramid-dashboards/{cedar.pk}/" in page
    assert page.index("Innovation pyramids") < page.index("Comparison pyramids")


@pytest.mark.usefixtures("loaded")
def test_district_readers_see_pyramid_metrics_and_the_reading_is_audited(loaded, client):
    world = loaded.world
    client.force_login(world.users.lead)
    page = client.get(f"/clusters/alpha/pyramid-dashboards/{world.high.pk}/").content.decode()
    assert "Four-year adjusted cohort graduation rate" in page and "has not been loaded" not in page
    assert 'id="metric-chart-chronic-absenteeism-spec"' in page
    assert "% of " in page  # rates with their counts in the tables
    with scopes_disabled():
        actions = set(AuditEvent.objects.filter(cluster=world.alpha, user=world.users.lead)
                      .values_list("action", flat=True))
    assert actions == {"metric graduation-rate", "metric chronic-absenteeism", "metric on-track"}


@pytest.mark.usefixtures("loaded")
def test_a_researcher_without_an_agreement_sees_no_metrics_and_nothing_is_audited(loaded, client):
    world = loaded.world
    client.force_login(world.users.researcher)
    page = client.get("/clusters/alpha/pyramid-dashboards/").content.decode()
    assert "Your role does not open the district&#x27;s student data" in page
    assert "Outcome measures, month by month" in page
    with scopes_disabled():
        assert not AuditEvent.objects.filter(user=world.users.researcher).exists()
