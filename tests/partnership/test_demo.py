"""The demo's partnership health: four rounds in Riverside, growth on some dimensions, a gap on equity."""

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django_scopes import scope, scopes_disabled

from improvenet.demo import load_demo
from improvenet.network.models import Cluster
from improvenet.partnership import services
from improvenet.partnership.models import Round, SelfAssessment


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        connection.check_constraints()
        with scopes_disabled():
            riverside = Cluster.objects.get(slug="riverside")
        yield SimpleNamespace(riverside=riverside)
        transaction.set_rollback(True)


def test_riverside_has_four_rounds_by_its_partner_organizations(db, demo):
    with scope(cluster=demo.riverside):
        assert Round.objects.count() == 4
        kinds = set(SelfAssessment.objects.values_list("organization__kind", flat=True))
        assert {"district", "university", "school_board", "union", "community"} <= kinds
        report = services.health_report(demo.riverside)
        medians = {t.dimension: [m.median for m in t.median] for t in report.health.trends}
        assert medians["continuous_improvement"][0] < medians["continuous_improvement"][-1]
        assert medians["capacity_building"][0] < medians["capacity_building"][-1]
        assert [(g.round, g.dimension) for g in report.health.gaps] == [(3, "equity"), (4, "equity")]
        outcomes = services.outcome_charts(report)
        assert outcomes and all(chart.spec for chart in outcomes)
        assert all(value is not None for chart in outcomes for _, value in chart.at_rounds[1:])


def test_the_demo_report_page_shows_the_gap_beside_the_outcomes(client, db, demo):
    client.force_login(get_user_model().objects.get(username="vera"))
    page = client.get("/clusters/riverside/partnership/").content.decode()
    assert "Riverside Parent Alliance rated it beginning" in page
    assert "9th graders on track, all schools" in page
