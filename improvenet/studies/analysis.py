"""A study's impact: its analytic sample read from the store under its agreement (studies.store, audited), the
CR2 and mixed-model estimates, the randomization-inference p-value from re-drawing its own allocation, the WWC
attrition judgement, baseline equivalence of the analysed groups, and the estimates by site. Only aggregates
are kept (StudyResult); a site with fewer students than the suppression threshold in an arm is not reported.

The randomized sample is the students enrolled in an assigned school on the first day of the study's window
(intention to treat), and the outcome is that of the school year the window ends in (studies.store.request_for).
"""

from __future__ import annotations

import numpy as np

from improvenet.analytics.suppression import DEFAULT_MIN_N
from improvenet.data.services import store_school_ids
from improvenet.studies import attrition, impact, randomization, rosters, statement
from improvenet.studies.models import STORED_IMPACT_FIGURES, Allocation, Study, StudyResult

RANDOMIZATION_DRAWS = 499


def procedure_of(allocation: Allocation) -> randomization.Procedure:
    """The procedure the allocation was drawn with, to re-draw it for randomization inference."""
    units = allocation.units
    rule = allocation.balance_rule
    baseline = [unit.get("baseline") for unit in units]
    covariates = {name: baseline for name in rule.get("covariates", [])}
    return randomization.Procedure(
        units=[unit["unit"] for unit in units],
        blocks=[unit["block"] for unit in units] if any(unit["block"] for unit in units) else None,
        proportion=allocation.proportion,
        match_on=baseline if rule.get("matched_on") else None,
        balance=randomization.BalanceRule(covariates, acceptance=rule["acceptance"]) if covariates else None,
    )


def is_reported(treated: int, control: int) -> bool:
    """Whether a site's estimate may be shown: each arm counts at least the suppression threshold's students."""
    return min(treated, control) >= DEFAULT_MIN_N


def _sites(study: Study, sample: impact.Sample, icc: float) -> list[dict]:
    """Per site (the blocks of a blocked study, else the cluster): Hedges' g, its variance and the counts.

    g is the site's covariate-adjusted impact over the pooled standard deviation (impact.estimate); its variance
    is that of a standardized difference inflated by the design effect of assigning whole schools,
    (1/n_t + 1/n_c)(1 + (m − 1)ρ) + g²/(2N), with m the average number of students per school and ρ the
    intraclass correlation of the whole study's mixed model (Hedges 2007; the WWC Procedures Handbook's cluster
    correction). Students assigned one by one are their own clusters: m = 1, no design effect."""
    blocks = np.asarray(sample.block) if sample.block is not None else None
    labels = sorted(set(blocks)) if blocks is not None else [study.cluster.name]
    y, t = np.asarray(sample.outcome, dtype=float), np.asarray(sample.treatment, dtype=int)
    schools = np.asarray(sample.cluster)
    sites = []
    for label in labels:
        keep = blocks == label if blocks is not None else np.ones(len(y), dtype=bool)
        treated, control = int(t[keep].sum()), int((1 - t[keep]).sum())
        if not is_reported(treated, control):
            continue
        part = impact.Sample(
            outcome=y[keep].tolist(), treatment=t[keep].tolist(), cluster=schools[keep].tolist(),
            covariates={name: np.asarray(values)[keep].tolist() for name, values in (sample.covariates or {}).items()}
            or None,
        )
        try:
            g = impact.estimate(part, "cr2").hedges_g
        except (impact.ImpactError, ValueError, np.linalg.LinAlgError):
            continue
        n = treated + control
        per_school = n / len(set(schools[keep]))
        variance = (1 / treated + 1 / control) * (1 + (per_school - 1) * icc) + g**2 / (2 * n)
        sites.append({"site": str(label), "yi": float(g), "vi": float(variance), "treated": treated,
                      "control": control, "schools": len(set(schools[keep]))})
    return sites


def _impact_figures(found: impact.Impact) -> dict:
    figures = {name: getattr(found, name) for name in STORED_IMPACT_FIGURES}
    # Plain floats: numpy's scalars are not what a JSON column should hold.
    return {name: float(value) if isinstance(value, np.floating) else value for name, value in figures.items()}


def analyse(study: Study, user, access, *, channel: str, store_path=None) -> StudyResult:
    """Estimate the study's impact on its primary outcome and keep the figures (refused with a reason).

    `access` is the cluster's access as the store's rules read it (studies.access.district_access)."""
    # Imported here: the store loads pandas, which the pages that only read stored results must not pay for.
    from improvenet.studies import store

    request = store.request_for(study)
    allocation = study.current_allocation()
    read = store.analytic_sample(user, access, request, channel=channel, store=store_path)
    sample = read.sample
    cr2, mixed = impact.estimate(sample, "cr2"), impact.estimate(sample, "mixed")
    if read.roster is not None:
        procedure = roster_procedure(allocation, read.roster)
        # The sample names students (or sections) as the roster does; those without an outcome are re-drawn too.
        units = list(procedure.units)
        unit_column = "section" if rosters.assigns_sections(read.roster) else "student_id"
        arm_of = dict(zip(read.roster[unit_column], read.roster["treated"].astype(bool), strict=True))
        treated = tuple(bool(arm_of[unit]) for unit in units)
    else:
        procedure, treated = procedure_of(allocation), tuple(unit["treated"] for unit in allocation.units)
        # The sample names schools by their store ids; the allocation by their records' ids.
        school_pk = _store_id_to_pk(sample, read.analysed_by_school)
        # A school may be known to the store by two ids (state and NCES): the one its rows carry counts.
        store_id = {str(school_pk[key]): key for key in set(sample.cluster)}
        # Schools without an analysed student are re-drawn too, under a name no sample row carries.
        units = [store_id.get(unit, f"not analysed: {unit}") for unit in procedure.units]
    p_value = randomization.randomization_p_value(
        procedure, randomization.Allocation(tuple(procedure.units), treated, allocation.seed, allocation.draws,
                                            allocation.distance),
        impact.reassigned_estimate(sample, units), draws=RANDOMIZATION_DRAWS, seed=allocation.seed,
    )
    equivalence = _equivalence(sample, store.PRIOR_YEAR, store.PRIOR_YEAR_MISSING)
    total = mixed.cluster_variance + mixed.residual_variance
    # Students assigned one by one: each is its own cluster, and a cluster of one has no intraclass correlation.
    one_by_one = read.roster is not None and not rosters.assigns_sections(read.roster)
    icc = 0.0 if one_by_one else mixed.cluster_variance / total
    figures = {
        "cr2": _impact_figures(cr2), "mixed": _impact_figures(mixed),
        "randomization_p_value": float(p_value), "randomization_draws": RANDOMIZATION_DRAWS,
        "students": _attrition_counts(read.students),
        "schools": _attrition_counts(read.schools) if read.schools else None,
        "equivalence": equivalence, "school_year": request.year,
        "statement": _statement_inputs(store.findings_for(study, read, cr2)),
    }
    return StudyResult.objects.create(study=study, outcome=study.primary_outcome, computed_by=user,
                                      figures=figures, sites=_sites(study, sample, icc))


def roster_procedure(allocation: Allocation, roster) -> randomization.Procedure:
    """The procedure a student or classroom allocation was drawn with (services.draw_student_allocation), from its
    roster: of its students, or of their sections with their students' mean baseline."""
    rule = allocation.balance_rule
    blocks = roster["block"].tolist()
    draw = rosters.section_procedure if rosters.assigns_sections(roster) else rosters.procedure
    return draw(roster["section" if rosters.assigns_sections(roster) else "student_id"].tolist(),
                blocks if any(blocks) else None, rosters.optional_floats(roster["baseline"]),
                allocation.proportion, bool(rule.get("matched_on")), rule.get("acceptance"))


def _store_id_to_pk(sample: impact.Sample, analysed_by_school: dict[int, int]) -> dict[str, int]:
    return {key: school.pk for key, school in store_school_ids().items() if school.pk in analysed_by_school}


def _equivalence(sample: impact.Sample, prior_year: str, prior_year_missing: str) -> dict | None:
    """The WWC baseline-equivalence g and verdict of the analysed groups on the prior-year outcome (shown on the
    impact page; the evidence statement takes its verdict from store.findings_for)."""
    covariates = sample.covariates or {}
    if prior_year not in covariates:
        return None
    prior = np.asarray(covariates[prior_year], dtype=float)
    missing = np.asarray(covariates.get(prior_year_missing, np.zeros(len(prior))), dtype=bool)
    treated = np.asarray(sample.treatment, dtype=bool)[~missing]
    if min(treated.sum(), (~treated).sum()) < 2:
        return None
    found = randomization.baseline_equivalence({"prior year": prior[~missing].tolist()}, treated.tolist())[0]
    return {"g": float(found.g), "verdict": found.verdict}


def _attrition_counts(level: attrition.Attrition) -> dict:
    return {"unit": level.unit, "treated": [level.treated.randomized, level.treated.analyzed],
            "control": [level.control.randomized, level.control.analyzed]}


# The evidence statement's findings other than the figures kept beside them (the estimate and the attrition).
STATEMENT_INPUTS = ("design", "assigned", "outcome", "outcome_unit", "blocked_by", "favourable", "assumption",
                    "equivalence", "adjusted_in_model", "schools", "districts")


def _statement_inputs(findings: statement.Findings) -> dict:
    return {name: getattr(findings, name) for name in STATEMENT_INPUTS}


def evidence_statement(result: StudyResult) -> statement.Statement:
    """The evidence statement of a stored result, in plain words: the findings store.findings_for made when the
    impact was estimated, with the estimate and attrition kept in the result (studies.statement)."""
    return statement.evidence_statement(result.findings)
