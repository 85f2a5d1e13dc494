"""The ledger gathers every registered source's estimates, keeps to the sharing rules across clusters, pools them
as improvenet.synthesis.meta does, and names the changes since the previous convening."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django_scopes import scope, scopes_disabled

from improvenet.convenings.keeping import keep
from improvenet.convenings.models import Convening
from improvenet.convenings.packets import build_packet
from improvenet.convenings.pdf import packet_pdf
from improvenet.network.models import School
from improvenet.synthesis import meta, services, sources
from improvenet.synthesis.models import PooledSnapshot
from improvenet.synthesis.sources import SiteEstimate
from tests.convenings.test_pdf import pdf_text
from tests.svg_charts import assert_reads_well
from tests.synthesis.conftest import external_study, school_estimate


def _ledger(ledger_world, cluster=None, idea=None):
    world = ledger_world.world
    cluster = cluster or world.alpha
    with scope(cluster=cluster, network=world.network.pk):
        return services.ledger("change_idea", idea or ledger_world.idea, cluster)


def test_the_ledger_gathers_every_registered_source_and_leaves_out_what_the_team_excluded(ledger_world, monkeypatch):
    world, idea = ledger_world.world, ledger_world.idea
    school_estimate(world.alpha, world.high, idea, 0.20, 0.05)
    school_estimate(world.alpha, world.middle, idea, 0.90, 0.05, included=False,
                    inclusion_reason="Trends before the start were not parallel.")
    external_study(world.alpha, idea, 0.10, 0.08, url="https://example.org/smith")
    asked = []

    def finished_studies(kind, subject_id, readable):
        asked.append((kind, subject_id, readable))
        found = SiteEstimate("study", "Alpha High", world.alpha.pk, 0.3, 0.01, "GPA", "Study of Alpha High")
        return [found] if subject_id == idea.pk else []

    monkeypatch.setitem(sources._SOURCES, "studies", finished_studies)
    found = _ledger(ledger_world)
    labels = [e.label for e in found.estimates]
    assert labels == ["Alpha High (Alpha)", "Smith (2020) (Not reviewed by the WWC)", "Study of Alpha High"]
    # Each source is asked about the idea and its adopted copy, with the clusters Alpha's page may show.
    assert ("change_idea", idea.pk, frozenset({world.alpha.pk})) in asked
    assert ("change_idea", ledger_world.beta_idea.pk, frozenset({world.alpha.pk})) in asked
    [pooling] = found.poolings
    expected = meta.pool([0.20, 0.10, 0.3], [0.05**2, 0.08**2, 0.01], "REML")
    assert pooling.random.estimate == pytest.approx(expected.estimate)
    assert pooling.random.test == "knha"
    assert pooling.fixed.estimate == pytest.approx(meta.pool([0.20, 0.10, 0.3], [0.0025, 0.0064, 0.01], "FE").estimate)
    assert pooling.new_site_words.startswith("In a new school like these, the effect is likely between ")


def test_estimates_cross_clusters_only_as_the_sharing_rules_allow(ledger_world):
    world, beta_idea = ledger_world.world, ledger_world.beta_idea
    school_estimate(world.alpha, world.high, ledger_world.idea, 0.20, 0.05)
    kept = school_estimate(world.beta, world.beta_school, beta_idea, 0.40, 0.05)
    external_study(world.beta, beta_idea, 0.10, 0.05, citation="Beta's study")
    assert [e.label for e in _ledger(ledger_world).estimates] == ["Alpha High (Alpha)"]

    # Beta's team shares its school's estimate: Alpha sees the effect, the school only by its level and cluster.
    with scopes_disabled():
        kept.shared_with_network = True
        kept.save()
    labels = [e.label for e in _ledger(ledger_world).estimates]
    assert labels == ["Alpha High (Alpha)", "Beta: high school 1"]
    # Beta's own page names its school and sees Alpha's estimate only once Alpha shares its work.
    assert [e.label for e in _ledger(ledger_world, world.beta, beta_idea).estimates] == [
        "Beta High (Beta)", "Beta's study (Not reviewed by the WWC)"]
    with scopes_disabled():
        world.alpha.shares_with_network = True
        world.alpha.save()
    assert "Alpha High (Alpha)" in [e.label for e in _ledger(ledger_world, world.beta, beta_idea).estimates]
    # A cluster of another network finds nothing: the lineage stays in the network.
    assert all(e.cluster_id in {world.alpha.pk, world.beta.pk, None} for e in _ledger(ledger_world).estimates)


def test_the_moderator_view_regresses_on_numbers_and_on_categories(ledger_world):
    world, idea = ledger_world.world, ledger_world.idea
    with scopes_disabled():
        schools = [School.objects.create(cluster=world.alpha, name=f"School {i}", level=level, role="feeder",
                                         lowest_grade=1, highest_grade=5)
                   for i, level in enumerate(["elementary", "elementary", "middle", "middle", "elementary"])]
    rows = [(0.1, 0.2), (0.3, 0.5), (0.5, 0.8), (0.2, 0.3), (0.6, 0.9)]
    for school, (effect, poverty) in zip(schools, rows, strict=True):
        school_estimate(world.alpha, school, idea, effect, 0.1, poverty_share=poverty)
    [pooling] = _ledger(ledger_world).poolings
    fits = {fit.name: fit for fit in pooling.moderators}
    expected = meta.regress([r[0] for r in rows], [0.01] * 5, {"poverty": [r[1] for r in rows]})
    assert fits["poverty"].regression.coefficients[1].estimate == pytest.approx(expected.coefficients[1].estimate)
    level_terms = [c.term for c in fits["school level"].regression.coefficients]
    assert level_terms == ["intercept", "school level: middle (against elementary)"]
    assert fits["dosage"].regression is None and "nothing to compare" in fits["dosage"].sentence


def test_an_estimate_is_about_one_subject_of_its_own_cluster_with_a_positive_standard_error(ledger_world):
    world = ledger_world.world
    with pytest.raises(ValidationError) as refused:
        school_estimate(world.alpha, world.high, ledger_world.beta_idea, 0.1, 0.0, poverty_share=1.5)
    assert set(refused.value.message_dict) == {"change_idea", "standard_error", "poverty_share"}
    with pytest.raises(ValidationError) as refused:
        school_estimate(world.alpha, world.high, None, 0.1, 0.1)
    assert "one change idea, innovation or product" in refused.value.message_dict["change_idea"][0]


def test_the_packet_names_ideas_whose_pooled_effect_changed_since_the_previous_convening(ledger_world):
    world, idea = ledger_world.world, ledger_world.idea
    school_estimate(world.alpha, world.high, idea, 0.20, 0.05)
    school_estimate(world.alpha, world.middle, idea, 0.30, 0.05)
    with scope(cluster=world.alpha, network=world.network.pk):
        first = Convening.objects.create(cluster=world.alpha, held_on=datetime.date(2025, 1, 10), title="Winter")
        second = Convening.objects.create(cluster=world.alpha, held_on=datetime.date(2025, 4, 10), title="Spring")
        third = Convening.objects.create(cluster=world.alpha, held_on=datetime.date(2025, 7, 10), title="Summer")
        # Each convening's day came and what it saw was kept (the daily `improvenet convenings keep`).
        for held in (first, second):
            keep(held, held.held_on)
        packet = build_packet(first)
        assert packet.pooled_changes == [] and not packet.pooled_baseline
        # Nothing changed by the spring: the packet compares and names no idea.
        assert build_packet(second).pooled_changes == [] and build_packet(second).pooled_baseline
    external_study(world.alpha, idea, 0.9, 0.05)
    with scope(cluster=world.alpha, network=world.network.pk):
        [change] = build_packet(third).pooled_changes
        assert change.idea == idea and change.before.sites == 2 and change.now.sites == 3
        assert change.sentence.startswith("Pooled effect 0.25 → ")
        # The spring packet kept its snapshot: it still reads as it did.
        assert build_packet(second).pooled_changes == []
        assert build_packet(third).to_dict()["pooled_changes"][0]["change_idea_id"] == idea.pk
        # Opening a packet only reads: the summer convening's estimates are kept by the keeping, not by the packet.
        assert not PooledSnapshot.objects.filter(convening=third).exists()


def test_the_packet_draws_the_forest_plot_of_each_changed_idea_as_it_was_pooled_for_the_convening(ledger_world):
    world, idea = ledger_world.world, ledger_world.idea
    school_estimate(world.alpha, world.high, idea, 0.20, 0.05)
    school_estimate(world.alpha, world.middle, idea, 0.30, 0.05)
    with scope(cluster=world.alpha, network=world.network.pk):
        first = Convening.objects.create(cluster=world.alpha, held_on=datetime.date(2025, 1, 10), title="Winter")
        second = Convening.objects.create(cluster=world.alpha, held_on=datetime.date(2025, 4, 10), title="Spring")
        keep(first, first.held_on)
    external_study(world.alpha, idea, 0.9, 0.05, citation="Okafor (2021)")
    with scope(cluster=world.alpha, network=world.network.pk):
        keep(second, second.held_on)
        assert build_packet(second).forests == []  # drawn only for the pages and the PDF
        packet = build_packet(second, with_svg=True)
        [forest] = packet.forests
        assert forest.change.idea == idea
        assert_reads_well(forest.svg)
        assert "Okafor (2021)" in forest.svg and "Random effects (sites differ)" in forest.svg
        html = render_to_string("convenings/packet_print.html", {"packet": packet})
        assert forest.svg_data_url in html and f"Forest plot of {idea.title}" in html
        assert "Okafor (2021)" in pdf_text(packet_pdf(packet))
    # An estimate added after the spring convening is not in its packet's plot: the snapshot kept its rows.
    external_study(world.alpha, idea, 0.1, 0.05, citation="Lindqvist (2024)")
    with scope(cluster=world.alpha, network=world.network.pk):
        [forest] = build_packet(second, with_svg=True).forests
        assert "Okafor (2021)" in forest.svg and "Lindqvist (2024)" not in forest.svg
