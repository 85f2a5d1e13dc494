"""Ledgers of innovations and products, and the evidence an innovation's core elements show."""

from django_scopes import scope, scopes_disabled

from improvenet.design.models import Innovation, InnovationElement
from improvenet.synthesis import meta
from tests.pilots.conftest import piloted  # noqa: F401 (the product world these tests build on)
from tests.synthesis.conftest import external_study, school_estimate


def test_a_core_element_shows_the_evidence_of_its_change_idea(ledger_world, client):
    world, idea = ledger_world.world, ledger_world.idea
    school_estimate(world.alpha, world.high, idea, 0.20, 0.05)
    external_study(world.alpha, idea, 0.40, 0.08)
    with scope(cluster=world.alpha):
        innovation = Innovation.objects.create(cluster=world.alpha, name="Ninth-grade success")
        InnovationElement.objects.create(innovation=innovation, kind="core", name="Check-ins", change_idea=idea)
    client.force_login(world.users.viewer)
    page = client.get(f"/clusters/alpha/design/innovations/{innovation.pk}/").content.decode()
    pooled = meta.pool([0.20, 0.40], [0.0025, 0.0064])
    assert f"Evidence: Pooled effect {pooled.estimate:.2f} standard deviations from 2 sites" in page
    assert f'href="/clusters/alpha/ledger/ideas/{idea.pk}/"' in page
    assert f'href="/clusters/alpha/ledger/innovations/{innovation.pk}/"' in page
    assert "No effect estimate about this innovation yet" in client.get(
        f"/clusters/alpha/ledger/innovations/{innovation.pk}/").content.decode()


def test_a_products_ledger_pools_its_external_studies(piloted, client):  # noqa: F811
    world, product = piloted.world, piloted.product
    with scopes_disabled():
        for citation, effect in (("A (2020)", 0.1), ("B (2021)", 0.3)):
            external_study(world.alpha, None, effect, 0.1, product=product, citation=citation)
    client.force_login(world.users.viewer)
    page = client.get(f"/clusters/alpha/ledger/products/{product.pk}/").content.decode()
    assert "2 estimates in standard deviations" in page and "A (2020)" in page
    assert f'href="/clusters/alpha/ledger/products/{product.pk}/"' in client.get(
        f"/clusters/alpha/pilots/products/{product.pk}/").content.decode()
