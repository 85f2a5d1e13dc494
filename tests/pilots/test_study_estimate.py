"""At the Analyze stage a pilot takes a finished study's overall estimate of its product (Hedges' g and its
standard error, naming the study) in one action, instead of typing it."""

import datetime

import pytest
from django_scopes import scope

from improvenet.pilots.models import GateRefused
from improvenet.studies.models import Study, StudyResult
from tests.pilots.conftest import make_pilot

# A stored CR2 estimate of 2.0 points (standard error 0.8 points) that is g = 0.25: 8 points per SD, so the
# standard error of g is 0.1.
CR2 = {"method": "cr2", "estimate": 2.0, "se": 0.8, "df": 10.0, "ci_low": 0.2, "ci_high": 3.8, "p_value": 0.03,
       "hedges_g": 0.25, "improvement_index": 9.9, "n_analyzed": 400, "clusters": 8}


def _study(p, title: str, *, result: bool) -> Study:
    study = Study.objects.create(
        cluster=p.world.alpha, title=title, product=p.product, design="randomized", assignment_level="school",
        primary_outcome="gpa", smallest_effect=0.2, starts_on=datetime.date(2025, 9, 1),
        ends_on=datetime.date(2026, 6, 1))
    if result:
        StudyResult.objects.create(study=study, outcome="gpa", figures={"cr2": CR2})
    return study


def test_a_study_answers_its_overall_estimate_from_its_latest_result(alpha_scope):
    study = _study(alpha_scope, "Reading Coach trial", result=False)
    assert study.overall_estimate() is None
    StudyResult.objects.create(study=study, outcome="gpa", figures={"cr2": CR2 | {"estimate": 1.0}})
    StudyResult.objects.create(study=study, outcome="gpa", figures={"cr2": CR2})
    g, standard_error = study.overall_estimate()
    assert g == 0.25 and standard_error == pytest.approx(0.1)
    StudyResult.objects.create(study=study, outcome="gpa", figures={"cr2": CR2 | {"estimate": -2.0, "hedges_g": -0.25}})
    assert study.overall_estimate() == pytest.approx((-0.25, 0.1))


def test_the_analyze_stage_takes_a_finished_studys_estimate_in_one_action(client, piloted):
    p = piloted
    pilot = make_pilot(p, "analyze")
    with scope(cluster=p.world.alpha):
        finished = _study(p, "Reading Coach trial", result=True)
        _study(p, "Reading Coach follow-up", result=False)
    url = f"/clusters/alpha/pilots/{pilot.pk}/"
    client.force_login(p.world.users.lead)
    page = client.get(url).content.decode()
    assert f'href="/clusters/alpha/studies/{finished.pk}/"' in page and "Hedges' g = 0.25 SD" in page
    assert "standard error 0.10 SD" in page and "Reading Coach follow-up" not in page
    assert client.post(f"{url}use-study/", {"study": finished.pk}).status_code == 302
    with scope(cluster=p.world.alpha):
        pilot.refresh_from_db()
        assert pilot.effect_size == 0.25 and pilot.effect_standard_error == pytest.approx(0.1)
        assert pilot.effect_outcome.startswith("grade point average")
        assert "Reading Coach trial" in pilot.effect_source
        assert f"/clusters/alpha/studies/{finished.pk}/" in pilot.effect_source
        assert pilot.has_estimate and not pilot.missing()
    client.force_login(p.world.users.member)
    assert client.post(f"{url}use-study/", {"study": finished.pk}).status_code == 403


def test_only_a_finished_study_of_the_product_at_the_analyze_stage(alpha_scope):
    p = alpha_scope
    unfinished = _study(p, "Reading Coach follow-up", result=False)
    finished = _study(p, "Reading Coach trial", result=True)
    pilot = make_pilot(p, "analyze")
    with pytest.raises(GateRefused, match="No finished study of Reading Coach"):
        pilot.take_study_estimate(unfinished.pk)
    earlier = make_pilot(p, "implement")
    with pytest.raises(GateRefused, match="entered at the Analyze stage; this pilot is at Implement"):
        earlier.take_study_estimate(finished.pk)
    assert earlier.effect_size is None
