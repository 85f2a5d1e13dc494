"""ρ and R² from the cluster's store, and a study's analytic sample under its agreement: authorized and audited."""

import datetime

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied
from django_scopes import scope, scopes_disabled

from improvenet.analytics.outcomes import OutcomeError
from improvenet.data.models import AuditEvent
from improvenet.network.access import cluster_for_user
from improvenet.network.models import School
from improvenet.studies import impact
from improvenet.studies.store import SampleRequest, analytic_sample, outcome_choices, variance_parts
from tests.data.conftest import make_agreement
from tests.studies.conftest import ASSESSMENT, SUBJECT, TREATED, TRIAL_YEAR

OUTCOME = f"assessment/{ASSESSMENT}/{SUBJECT}"
SCORE_FIELDS = ("student_assessment.*", "student_school_association.*")


def read_variance(user, world, outcome=OUTCOME, **options):
    with scope(cluster=world.alpha):
        return variance_parts(user, cluster_for_user(user, world.alpha.slug), outcome, channel="web", **options)


def audited(**filters):
    with scopes_disabled():
        return list(AuditEvent.objects.filter(**filters))


def study_request(world, agreement, **changes):
    with scopes_disabled():
        pk = dict(School.objects.filter(cluster=world.alpha).values_list("state_id", "pk"))
    request = dict(label="study 1: Reading coaches", outcome=OUTCOME, year=TRIAL_YEAR,
                   assigned_on=datetime.date(TRIAL_YEAR - 1, 9, 15), treated={pk[s]: t for s, t in TREATED.items()},
                   blocks={pk[s]: s[0] for s in TREATED}, agreement=agreement)
    return SampleRequest(**(request | changes))


def read_sample(user, world, request):
    with scope(cluster=world.alpha):
        return analytic_sample(user, cluster_for_user(user, world.alpha.slug), request, channel="api")


def test_the_store_offers_its_assessments_among_the_outcomes(scored):
    world = scored.world
    with scope(cluster=world.alpha):
        keys = [o.key for o in outcome_choices(cluster_for_user(world.users.lead, "alpha"))]
    assert keys == ["absence-rate", "gpa", "chronic-absenteeism", "on-track", OUTCOME]


def test_the_lead_reads_rho_and_r_squared_of_an_outcome_and_the_read_is_audited(scored):
    world = scored.world
    result = read_variance(world.users.lead, world, year=TRIAL_YEAR - 1, by_pyramid=True)
    parts = result.parts
    assert result.year == TRIAL_YEAR - 1 and result.higher == "pyramid" and result.agreement is None
    assert parts.schools == 6 and parts.higher_groups == 2
    assert 0 < parts.rho2 + parts.rho3 < 0.5
    # Within a school, a student's lasting level is 0.56 of 0.86 of the variance: last year's score explains
    # about (0.56 / 0.86)² = 0.42 of this year's.
    assert 0.3 < parts.R1 < 0.55
    assert result.with_prior > 0.5 * parts.students
    [event] = audited(pk=result.event.pk)
    assert event.action == f"study variance {OUTCOME}" and event.detail["students"] == parts.students
    assert event.username == "lead"


def test_the_latest_year_is_the_default_and_the_absence_rate_works_too(scored):
    world = scored.world
    assert read_variance(world.users.lead, world).year == 2025
    absence = read_variance(world.users.lead, world, "absence-rate")
    assert absence.outcome.favourable == "lower" and 0 < absence.parts.rho2 < 1


def test_a_researcher_needs_an_agreement_that_permits_the_outcome(scored):
    world = scored.world
    with pytest.raises(PermissionDenied, match="no data use agreement"):
        read_variance(world.users.researcher, world)
    make_agreement(scored)
    with pytest.raises(PermissionDenied, match="lacks the fields student_assessment"):
        read_variance(world.users.researcher, world)
    assert not audited(action__startswith="study")


def test_an_unknown_outcome_is_refused_with_the_choices(scored):
    with pytest.raises(OutcomeError, match="choose absence-rate, gpa"):
        read_variance(scored.world.users.lead, scored.world, "graduation-rate")


def test_the_analytic_sample_is_read_under_the_studys_agreement(scored):
    world = scored.world
    agreement = make_agreement(scored, fields=SCORE_FIELDS)
    read = read_sample(world.users.researcher, world, study_request(world, agreement))
    sample = read.sample
    n = len(sample.outcome)
    assert n == len(sample.treatment) == len(sample.cluster) == len(sample.block) == read.students.treated.analyzed \
        + read.students.control.analyzed
    assert set(sample.cluster) == set(TREATED) and set(sample.block) == {"A", "C"}
    assert all(t == TREATED[school] for t, school in zip(sample.treatment, sample.cluster, strict=True))
    # Intention to treat: the randomized are the students of the tested grades enrolled on the day of assignment;
    # some left or missed the test, so fewer are analysed, and no one who joined later is.
    assert read.students.treated.randomized > read.students.treated.analyzed > 0.7 * read.students.treated.randomized
    assert read.grades == (3, 11)
    assert (read.schools.treated.randomized, read.schools.control.randomized) == (3, 3)
    assert read.schools.overall == 0
    assert sum(read.analysed_by_school.values()) == n
    assert set(sample.covariates) == {"prior_year", "prior_year_missing", "school_mean_prior_year"}
    [event] = audited(pk=read.event.pk)
    assert event.agreement == agreement and event.channel == "api" and event.detail["rows"] == n
    assert event.detail["study"] == "study 1: Reading coaches"
    fit = impact.estimate(sample)
    # 0.5 SD planted (20 points) against 6 schools: positive, and within its interval.
    assert fit.ci_low < 20 < fit.ci_high and fit.estimate > 0


@pytest.mark.parametrize("problem, message", [
    ("none", "names no data use agreement"),
    ("not named", "does not name you"),
    ("expired", "is not active on"),
    ("fields", "lacks the fields student_assessment"),
])
def test_the_sample_is_refused_without_a_valid_agreement(scored, problem, message):
    world = scored.world
    today = datetime.date.today()
    agreement = {
        "none": lambda: None,
        "not named": lambda: make_agreement(scored, fields=SCORE_FIELDS),
        "expired": lambda: make_agreement(scored, fields=SCORE_FIELDS, starts_on=today - datetime.timedelta(400),
                                          expires_on=today - datetime.timedelta(1)),
        "fields": lambda: make_agreement(scored, fields=("student_school_association.*",)),
    }[problem]()
    reader = world.users.member if problem == "not named" else world.users.researcher
    with pytest.raises(PermissionDenied, match=message):
        read_sample(reader, world, study_request(world, agreement))
    assert not audited(action__startswith="study")


def test_the_lead_reads_a_sample_under_the_agreement_without_being_named_in_it(scored):
    world = scored.world
    agreement = make_agreement(scored, fields=SCORE_FIELDS)
    read = read_sample(world.users.lead, world, study_request(world, agreement, prior_year_covariate=False))
    assert read.sample.covariates is None and read.agreement == agreement


def test_an_allocation_without_both_arms_is_refused(scored):
    world = scored.world
    agreement = make_agreement(scored, fields=SCORE_FIELDS)
    request = study_request(world, agreement)
    with pytest.raises(ValueError, match="both treated and control"):
        read_sample(world.users.researcher, world,
                    study_request(world, agreement, treated={pk: True for pk in request.treated}))


@pytest.mark.parametrize("changes, message", [
    ({"assigned_on": datetime.date(2030, 9, 15)}, "no student enrolled in the study's schools on September 15, 2030"),
    ({"year": 2030}, "holds no Spring benchmark \\(reading\\) in the school year 2029–30"),
])
def test_a_sample_the_store_does_not_hold_is_refused_with_what_to_check(scored, changes, message):
    world = scored.world
    agreement = make_agreement(scored, fields=SCORE_FIELDS)
    with pytest.raises(ValueError, match=message):
        read_sample(world.users.researcher, world, study_request(world, agreement, **changes))


def test_the_prior_year_fills_missing_values_and_flags_them(scored):
    world = scored.world
    agreement = make_agreement(scored, fields=SCORE_FIELDS)
    sample = read_sample(world.users.researcher, world, study_request(world, agreement)).sample
    covariates = sample.covariates
    flagged = np.asarray(covariates["prior_year_missing"]) == 1
    prior = np.asarray(covariates["prior_year"])
    assert 0 < flagged.sum() < len(flagged)
    assert np.allclose(prior[flagged], prior[~flagged].mean())
    school = np.asarray(sample.cluster)
    school_mean = np.asarray(covariates["school_mean_prior_year"])
    for name in set(school):
        here = (school == name) & ~flagged
        assert np.allclose(school_mean[school == name], prior[here].mean())
