"""The demo's ledger: 8 Riverside schools, 3 Lakeside schools (shared, unnamed) and 2 external studies, so
heterogeneous that the interval for a new school crosses zero while the mean's interval does not; the spring
packet names the idea."""

import pytest
from django.db import transaction
from django_scopes import scope, scopes_disabled

from improvenet.convenings.models import Convening
from improvenet.convenings.packets import build_packet
from improvenet.demo import load_demo
from improvenet.demo.synthesis import EXTERNAL_STUDIES, LAKESIDE_ESTIMATES, RIVERSIDE_ESTIMATES
from improvenet.network.models import Cluster
from improvenet.sharing.models import Publication
from improvenet.synthesis import meta, services


@pytest.fixture(scope="module")
def riverside(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        with scopes_disabled():
            yield Cluster.objects.get(slug="riverside")
        transaction.set_rollback(True)


def test_the_demo_idea_pools_13_estimates_whose_new_school_interval_crosses_zero(db, riverside):
    with scopes_disabled():
        idea = Publication.objects.get(cluster=riverside).change_idea
    with scope(cluster=riverside, network=riverside.network_id):
        found = services.ledger("change_idea", idea, riverside)
    [pooling] = found.poolings
    sources = [e.source for e in pooling.estimates]
    assert sources.count("school difference-in-differences") == 11 and sources.count("external study") == 2
    assert sum(e.label.startswith("Lakeside: ") for e in pooling.estimates) == 3  # shared without their names
    rows = RIVERSIDE_ESTIMATES + LAKESIDE_ESTIMATES + [(s[2], s[3]) for s in EXTERNAL_STUDIES]
    expected = meta.pool([r[0] for r in rows], [r[1] for r in rows], "REML")
    r = pooling.random
    assert r.estimate == pytest.approx(expected.estimate) and r.test == "knha"
    assert 0 < r.ci_low < r.ci_high and r.pi_low < 0 < r.pi_high
    assert (round(r.estimate, 3), round(r.pi_low, 3), round(r.pi_high, 3)) == (0.129, -0.143, 0.401)
    poverty = {m.name: m for m in pooling.moderators}["poverty"]
    assert "effect differs with it" in poverty.sentence
    # A p-value too small for four decimals reads "< 0.0001", never as zero.
    assert poverty.coefficient_lines == [
        f"poverty: {poverty.regression.coefficients[1].estimate:.3f} standard deviations (standard error "
        f"{poverty.regression.coefficients[1].se:.3f}, p < 0.0001)"]
    assert pooling.p_values["fixed"] == "< 0.0001" and pooling.p_values["random"] == f"{r.p_value:.4f}"


def test_the_spring_packet_names_the_idea_whose_pooled_effect_changed(db, riverside):
    with scope(cluster=riverside, network=riverside.network_id):
        spring = Convening.objects.order_by("-held_on").first()
        [change] = build_packet(spring).pooled_changes
        assert (change.before.sites, change.now.sites) == (8, 13)
