"""A registered, allocated study's impact from the store: the planted effect recovered, the read audited under
the study's agreement, only aggregates kept, estimates by site for the evidence ledger, an evidence statement."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django_scopes import scope, scopes_disabled

from improvenet.data.models import AuditEvent
from improvenet.design.models import ChangeIdea
from improvenet.network.access import cluster_for_user
from improvenet.network.models import ClusterRole, School
from improvenet.studies import analysis, randomization
from improvenet.studies.access import district_access
from improvenet.studies.attrition import Arm, Attrition
from improvenet.studies.models import Allocation, Study, StudyError, StudyResult
from improvenet.synthesis.sources import estimate_sources
from tests.data.conftest import make_agreement
from tests.studies.conftest import ASSESSMENT, SUBJECT, TREATED, TRIAL_YEAR

SCORE_FIELDS = ("student_assessment.*", "student_school_association.*")


@pytest.fixture
def trial(scored):
    """The scored district's trial as a registered study, its allocation saved as it was drawn."""
    world = scored.world
    agreement = make_agreement(scored, fields=SCORE_FIELDS)
    with scopes_disabled():
        idea = ChangeIdea.objects.create(cluster=world.alpha, title="Reading coaches")
        study = Study.objects.create(
            cluster=world.alpha, title="Reading coaches trial", change_idea=idea, design="randomized",
            assignment_level="school", block_level="pyramid",
            primary_outcome=f"assessment/{ASSESSMENT}/{SUBJECT}", smallest_effect=0.2,
            starts_on=datetime.date(TRIAL_YEAR - 1, 9, 15), ends_on=datetime.date(TRIAL_YEAR, 6, 1),
            agreement=agreement, power_design="bcra3f2", power_parameters={"n": 60, "J": 3, "K": 2, "rho2": 0.1},
        )
        study.register(world.users.lead)
        schools = School.objects.filter(state_id__in=list(TREATED)).order_by("name")
        units = [{"unit": str(s.pk), "name": s.name, "block": s.state_id[0]} for s in schools]
        drawn = randomization.Allocation(tuple(u["unit"] for u in units),
                                         tuple(TREATED[s.state_id] for s in schools), 3, 1, None)
        Allocation.record(study, drawn, units, 0.5, {}, world.users.lead, "web")
    return study


def _analyse(user, world, study):
    with scope(cluster=world.alpha):
        access = district_access(cluster_for_user(user, "alpha"))
        return analysis.analyse(Study.objects.get(pk=study.pk), user, access, channel="web")


def test_the_impact_recovers_the_planted_effect_and_keeps_only_aggregates(scored, trial):
    world = scored.world
    result = _analyse(world.users.researcher, world, trial)
    cr2, mixed = result.figures["cr2"], result.figures["mixed"]
    # 0.5 SD (20 points) planted in 3 of 6 schools: positive, inside its interval.
    assert cr2["estimate"] > 0 and cr2["ci_low"] < 20 < cr2["ci_high"] and mixed["df"] is None
    assert 0 < result.figures["randomization_p_value"] <= 1
    assert result.figures["schools"] == {"unit": "schools", "treated": [3, 3], "control": [3, 3]}
    assert result.figures["equivalence"]["verdict"] in {"satisfies", "needs adjustment", "fails"}
    assert {site["site"] for site in result.sites} == {"A", "C"}
    for site in result.sites:
        assert set(site) == {"site", "yi", "vi", "treated", "control", "schools"} and site["vi"] > 0
    with scopes_disabled():
        event = AuditEvent.objects.get(action__startswith="study sample")
        assert event.agreement == trial.agreement and event.detail["study"].startswith(f"study {trial.pk}:")
        text = analysis.evidence_statement(result).text()
    assert "What Works Clearinghouse" in text and "criteria of ESSA Tier 1" in text


def test_a_stored_result_reads_back_typed_from_the_json_it_keeps(scored, trial):
    world = scored.world
    result = _analyse(world.users.researcher, world, trial)
    cr2 = result.figures["cr2"]
    # The stored format: plain JSON numbers under these names (kept results are read back by them).
    assert set(cr2) == {"method", "estimate", "se", "df", "ci_low", "ci_high", "p_value", "hedges_g",
                        "improvement_index", "n_analyzed", "clusters"}
    assert all(type(cr2[name]) in (float, int) for name in set(cr2) - {"method"})
    with scope(cluster=world.alpha):
        stored = StudyResult.objects.get(pk=result.pk)
    impact = stored.impact
    assert (impact.method, impact.estimate, impact.se, impact.df) == ("cr2", cr2["estimate"], cr2["se"], cr2["df"])
    assert (impact.n_analyzed, impact.clusters) == (cr2["n_analyzed"], 6)
    assert stored.mixed_impact.method == "mixed" and stored.mixed_impact.df is None
    assert stored.school_attrition == Attrition(Arm(3, 3), Arm(3, 3), "schools")
    assert stored.student_attrition.unit == "students" and stored.student_attrition.treated.analyzed > 0
    findings = stored.findings
    assert (findings.impact, findings.clusters, findings.students) == (
        impact, stored.school_attrition, stored.student_attrition)
    assert findings.assigned == result.figures["statement"]["assigned"] and findings.schools == 6
    assert stored.g_per_outcome_unit == pytest.approx(cr2["hedges_g"] / cr2["estimate"])


def test_the_analysis_needs_the_agreement_and_a_saved_allocation(client, scored, trial):
    world = scored.world
    with pytest.raises(PermissionDenied, match="does not name you"):
        _analyse(world.users.member, world, trial)
    # A researcher may write studies, which makes no district reader of them: not named, refused.
    with scopes_disabled():
        other = get_user_model().objects.create_user("other-researcher", "o@example.org", "x")
        ClusterRole.objects.create(cluster=world.alpha, user=other, role="researcher")
    client.force_login(other)
    client.post(f"/clusters/alpha/studies/{trial.pk}/impact/")
    page = client.get(f"/clusters/alpha/studies/{trial.pk}/impact/").content.decode()
    assert "does not name you" in page and "No estimate yet" in page
    with scopes_disabled():
        draft = Study.objects.create(
            cluster=world.alpha, title="Draft", change_idea=trial.change_idea, primary_outcome="gpa",
            smallest_effect=0.2, starts_on=trial.starts_on, ends_on=trial.ends_on,
        )
    with pytest.raises(StudyError, match="Save the study's allocation first"):
        _analyse(world.users.researcher, world, draft)


def test_finished_studies_give_the_ledger_their_estimates_by_site(scored, trial):
    world = scored.world
    result = _analyse(world.users.researcher, world, trial)
    source = estimate_sources()["studies"]
    ours = list(source("change_idea", trial.change_idea_id, frozenset({world.alpha.pk})))
    elsewhere = list(source("change_idea", trial.change_idea_id, frozenset({world.beta.pk})))
    assert ours and not list(source("innovation", trial.change_idea_id, frozenset({world.alpha.pk})))
    assert [(e.site, round(e.yi, 9)) for e in ours] == [(s["site"], round(s["yi"], 9)) for s in result.sites]
    assert all(e.scale == "smd" and e.cluster_id == world.alpha.pk for e in ours)
    assert not elsewhere


def test_the_impact_page_estimates_shows_the_sites_and_the_statement(client, scored, trial):
    world = scored.world
    url = f"/clusters/alpha/studies/{trial.pk}/"
    client.force_login(world.users.member)
    assert "No estimate yet" in client.get(f"{url}impact/").content.decode()
    assert client.post(f"{url}impact/").status_code == 403
    client.force_login(world.users.researcher)
    assert client.post(f"{url}impact/").status_code == 302
    page = client.get(f"{url}impact/").content.decode()
    assert "Cluster-robust (CR2)" in page and "Randomization inference: p = " in page
    assert "Schools: low attrition" in page and 'data-spec="sites-spec"' in page
    chart = client.get(f"{url}impact/sites.svg")
    assert chart["Content-Type"] == "image/svg+xml" and b"<svg" in chart.content
    statement = client.get(f"{url}statement/").content.decode()
    assert "The study meets" in statement or "The study does not meet" in statement
    assert "ESSA Tier 1" in statement
    client.force_login(world.users.viewer)
    assert client.get(f"{url}impact/").status_code == 403
    assert client.get(f"{url}statement/").status_code == 200


def test_the_form_estimates_rho_and_r2_from_the_store(client, scored, trial):
    world = scored.world
    client.force_login(world.users.lead)
    fields = {"title": "Next trial", "change_idea": trial.change_idea_id, "design": "randomized",
              "assignment_level": "school", "primary_outcome": trial.primary_outcome, "smallest_effect": "0.2",
              "starts_on": "2026-08-15", "ends_on": "2027-06-15", "power_design": "cra2r2", "estimate": "1"}
    page = client.post("/clusters/alpha/studies/new/", fields).content.decode()
    assert "Estimated from " in page and "the read is in the audit log" in page
    with scopes_disabled():
        assert not Study.objects.filter(title="Next trial").exists()
        event = AuditEvent.objects.get(action__startswith="study variance")
    assert event.user == world.users.lead
    assert 'name="rho2" value="0.' in page and 'name="R1" value="0.' in page


def test_the_api_estimates_the_impact_as_the_page_does(api_as, scored, trial):
    world = scored.world
    url = f"/clusters/alpha/studies/{trial.pk}/results"
    assert api_as(world.users.member).post(url).status_code == 403
    answer = api_as(world.users.researcher).post(url)
    assert answer.status_code == 201, answer.content
    result = answer.json()
    assert {site["site"] for site in result["sites"]} == {"A", "C"}
    assert result["figures"]["statement"]["schools"] == 6 and result["figures"]["cr2"]["estimate"] > 0
    with scopes_disabled():
        assert AuditEvent.objects.filter(channel="api", action__startswith="study sample").count() == 1
        unallocated = Study.objects.create(cluster=world.alpha, title="Not allocated", change_idea=trial.change_idea,
                                           design="randomized", assignment_level="school",
                                           primary_outcome=trial.primary_outcome, smallest_effect=0.2,
                                           starts_on=trial.starts_on, ends_on=trial.ends_on, agreement=trial.agreement)
    refused = api_as(world.users.researcher).post(f"/clusters/alpha/studies/{unallocated.pk}/results")
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "allocation"
    assert api_as(world.users.member).get(url).json()[0]["figures"] == result["figures"]
