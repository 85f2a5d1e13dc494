"""The demo's study: registered, blocked by pyramid, allocated; its planted effect recovered from the store, and
its evidence statement saying what it should."""

import datetime

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django_scopes import scope, scopes_disabled

from improvenet.demo import load_demo, studies
from improvenet.demo.network import NETWORK_SLUG
from improvenet.demo.student_data import create_student_data_demo
from improvenet.network.access import cluster_for_user
from improvenet.network.models import Cluster
from improvenet.studies import impact, publishing
from improvenet.studies.models import Study
from improvenet.studies.statement import evidence_statement
from improvenet.studies.store import analytic_sample, findings_for, request_for, school_year_of, variance_parts

KEY = "cd" * 32


@pytest.fixture(scope="module")
def riverside(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, with two school years of about 4,000 Riverside students a year in its store."""
    stores = tmp_path_factory.mktemp("demo-stores")
    with pytest.MonkeyPatch.context() as patch, django_db_blocker.unblock(), transaction.atomic():
        patch.setenv("IMPROVENET_PSEUDONYM_KEY", KEY)
        patch.setenv("IMPROVENET_ANALYTICS_STORE", str(stores))
        load_demo()
        with scopes_disabled():
            create_student_data_demo(7, lambda message: None, stores, students=10000, years=2)
            yield Cluster.objects.get(slug="riverside")
        transaction.set_rollback(True)


@pytest.fixture
def carol(riverside):
    return get_user_model().objects.get(username="carol")


def test_the_study_is_registered_and_allocated_within_every_at_large_pyramid(db, riverside):
    with scope(cluster=riverside):
        study = Study.objects.get(title=studies.TITLE)
        allocation = study.current_allocation()
        assert study.is_registered and study.registered_at.date() == studies.REGISTERED_ON
        assert (study.block_level, study.assignment_level) == ("pyramid", "school")
        schools = studies.at_large_schools(riverside)
        assert [int(unit["unit"]) for unit in allocation.units] == [school.pk for school in schools]
        blocks = {unit["block"] for unit in allocation.units}
        assert len(blocks) == 4
        for block in blocks:
            treated = [unit["treated"] for unit in allocation.units if unit["block"] == block]
            assert np.floor(len(treated) / 2) <= sum(treated) <= np.ceil(len(treated) / 2)


def test_the_analysis_recovers_the_planted_effect_and_the_statement_says_so(db, riverside, carol):
    with scope(cluster=riverside):
        study = Study.objects.get(title=studies.TITLE)
        access = cluster_for_user(carol, riverside.slug)
        read = analytic_sample(carol, access, request_for(study), channel="web")
        assert read.grades == (3, 11) and read.agreement == study.agreement
        fit = impact.estimate(read.sample)
        assert fit.ci_low < studies.PLANTED_POINTS < fit.ci_high
        assert fit.ci_low > 0 and fit.p_value < 0.05
        findings = findings_for(study, read, fit)
        assert (findings.design, findings.assigned, findings.blocked_by) == ("experimental", "schools", "pyramids")
        # Schools differ, so 21 of them balance the prior year only within 0.25 SD: the model adjusts for it.
        assert findings.equivalence in ("satisfies", "needs adjustment") and findings.adjusted_in_model
        statement = evidence_statement(findings)
        text = statement.text()
        assert statement.wwc.rating == "meets WWC standards without reservations", text
        assert "meets the criteria of ESSA Tier 1 (strong evidence) that it can show alone" in text
        assert f"Sample analysed: {fit.n_analyzed:,} students in {len(read.analysed_by_school)} schools" in text
        assert "Outcome: Spring reading benchmark (reading), in score points (higher is better)." in text


def test_the_power_panel_reads_rho_and_r_squared_of_the_reading_score(db, riverside):
    lead = get_user_model().objects.get(username="alice")
    with scope(cluster=riverside):
        result = variance_parts(lead, cluster_for_user(lead, riverside.slug), studies.OUTCOME, channel="web",
                                year=studies.OUTCOME_YEAR, by_pyramid=True)
    # The scores' parts: 0.04 between pyramids and 0.10 between schools (plus the planted effect), of 1.
    assert 0.02 < result.parts.rho2 < 0.3 and result.parts.rho3 < 0.2
    assert result.parts.R1 > 0.3


def test_the_study_window_gives_its_school_year():
    assert school_year_of(datetime.date(2025, 9, 15)) == 2026 and school_year_of(datetime.date(2026, 6, 12)) == 2026


def test_the_finished_trial_is_published_and_dan_reads_it_from_the_library(db, riverside, client):
    with scope(cluster=riverside):
        study = Study.objects.get(title=studies.TITLE)
        publication = publishing.open_publication(study)
        assert publication.published_by.username == "carol" and publication.result == study.results.first()
        assert publication.snapshot["headline"]["ci_low"] > 0
        assert "meets the criteria of ESSA Tier 1 (strong evidence)" in publication.tier
    client.force_login(get_user_model().objects.get(username="dan"))
    library = client.get(f"/networks/{NETWORK_SLUG}/library/").content.decode()
    assert studies.TITLE in library and f'href="/clusters/riverside/studies/{study.pk}/"' in library
    page = client.get(f"/clusters/riverside/studies/{study.pk}/").content.decode()
    assert "Hedges' g = " in page and "Peer tutoring" in page
