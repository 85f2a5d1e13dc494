"""The ledger's API: external studies (effect given or computed), schools' estimates, and each ledger pooled."""

import pytest

from improvenet.synthesis import meta
from tests.synthesis.conftest import school_estimate

STUDIES = "/clusters/alpha/ledger/studies"
SCHOOLS = "/clusters/alpha/ledger/schools"


def test_external_studies_are_created_with_the_effect_given_or_computed_and_refused_by_field(ledger_world, api_as):
    world, idea = ledger_world.world, ledger_world.idea
    api = api_as(world.users.lead)
    given = api.post(STUDIES, {"change_idea_id": idea.pk, "citation": "Smith (2020)", "outcome": "GPA",
                               "effect": 0.2, "standard_error": 0.1, "wwc_rating": "with_reservations"})
    assert given.status_code == 201, given.json()
    assert given.json()["computed_from"] == "the effect and its standard error"
    computed = api.post(STUDIES, {"change_idea_id": idea.pk, "citation": "Lee (2021)", "outcome": "On track",
                                  "effect_type": "log_rr", "events_treatment": 40, "n_treatment": 50,
                                  "events_comparison": 30, "n_comparison": 50})
    assert computed.status_code == 201, computed.json()
    yi, vi = meta.log_risk_ratio(40, 50, 30, 50)
    assert computed.json()["effect"] == pytest.approx(yi) and computed.json()["scale"] == "log_rr"
    assert computed.json()["standard_error"] == pytest.approx(vi**0.5)
    refused = api.post(STUDIES, {"change_idea_id": idea.pk, "citation": "X", "outcome": "GPA", "effect": 0.2,
                                 "standard_error": -0.1})
    assert refused.status_code == 422
    assert "must be greater than 0" in str(refused.json())
    other = api.post(STUDIES, {"change_idea_id": ledger_world.beta_idea.pk, "citation": "X", "outcome": "GPA",
                               "effect": 0.2, "standard_error": 0.1})
    assert other.status_code == 422
    listed = api_as(world.users.viewer).get(STUDIES, change_idea_id=idea.pk)
    assert listed.json()["count"] == 2
    assert api_as(world.users.viewer).post(STUDIES, {"change_idea_id": idea.pk, "citation": "Y", "outcome": "GPA",
                                                     "effect": 0.1, "standard_error": 0.1}).status_code == 403


def test_a_schools_estimate_and_the_ledger_read_through_the_api(ledger_world, api_as):
    world, idea = ledger_world.world, ledger_world.idea
    api = api_as(world.users.lead)
    created = api.post(SCHOOLS, {"change_idea_id": idea.pk, "school_id": world.high.pk, "outcome": "GPA",
                                 "start_year": 2024, "effect": 0.3, "standard_error": 0.1,
                                 "inclusion_reason": "Parallel trends held."})
    assert created.status_code == 201, created.json()
    assert api.post(SCHOOLS, {"change_idea_id": idea.pk, "school_id": world.beta_school.pk, "outcome": "GPA",
                              "start_year": 2024, "effect": 0.3, "standard_error": 0.1,
                              "inclusion_reason": "x"}).status_code == 422
    school_estimate(world.alpha, world.middle, idea, 0.1, 0.05)
    ledger = api_as(world.users.viewer).get(f"/clusters/alpha/ledger/ideas/{idea.pk}", method="DL").json()
    [pooling] = ledger["poolings"]
    expected = meta.pool([0.3, 0.1], [0.01, 0.0025], "DL")
    assert pooling["k"] == 2 and pooling["random"]["estimate"] == pytest.approx(expected.estimate)
    assert pooling["random"]["pi_low"] == pytest.approx(expected.pi_low) and pooling["method"] == "DL"
    assert pooling["in_words"][-1].startswith("In a new school like these")
    assert api.get(f"/clusters/alpha/ledger/ideas/{idea.pk}", method="XX").status_code == 422
    assert api.get(f"/clusters/alpha/ledger/ideas/{ledger_world.beta_idea.pk}").status_code == 404
    assert api_as(world.users.outsider).get(f"/clusters/alpha/ledger/ideas/{idea.pk}").status_code == 404
