"""What the study pages and the API share: the power answer for a set of parameters, and drawing an
allocation of a study's schools (its preview with the baseline-equivalence table, then its saving)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from improvenet.network.models import School
from improvenet.studies import power, randomization
from improvenet.studies.models import Allocation, Study, StudyError


@dataclass(frozen=True)
class PowerAnswer:
    """The power panel: the MDES of the design as given, and the size that detects the smallest effect."""

    design: str
    label: str
    detectable: power.Detectable | None = None
    required: power.Required | None = None
    target: float | None = None
    problem: str = ""

    @property
    def detects_target(self) -> bool | None:
        if self.detectable is None or self.target is None:
            return None
        return self.detectable.mdes <= self.target


def power_answer(design: str, parameters: dict, target: float | None) -> PowerAnswer:
    if design not in power.RULES:
        return PowerAnswer(design, "", problem="Choose a power design to see the smallest detectable effect.")
    label = power.RULES[design].label
    try:
        record = power.Design(design=design, **{k: v for k, v in parameters.items() if k in power.PARAMETERS})
        detectable = power.mdes(record)
    except (power.PowerError, TypeError, ValueError) as error:
        return PowerAnswer(design, label, problem=str(error))
    needed = None
    if target is not None and target > 0:
        try:
            needed = power.required(record, target)
        except (power.PowerError, ValueError):
            needed = None
    return PowerAnswer(design, label, detectable=detectable, required=needed, target=target)


def study_power(study: Study) -> PowerAnswer:
    return power_answer(study.power_design, study.power_parameters, study.smallest_effect)


@dataclass(frozen=True)
class Draw:
    """An allocation drawn but not saved: what the preview shows and what saving stores."""

    units: list[dict]
    drawn: randomization.Allocation
    proportion: float
    balance_rule: dict
    equivalence: list[randomization.Equivalence]


def block_of(study: Study, school: School) -> str:
    """The block a school is assigned within: its feeder pyramid (the high school it feeds), or none."""
    if study.block_level == Study.BlockLevel.PYRAMID:
        head = school.feeds_into if school.feeds_into_id else school
        return head.name
    if study.block_level == Study.BlockLevel.CLUSTER:
        return study.cluster.name
    return ""


def draw_allocation(study: Study, schools: list[School], proportion: float, baseline_name: str,
                    baseline: dict[int, float], match_pairs: bool, acceptance: float | None,
                    seed: int | None) -> Draw:
    """Draw the study's allocation of `schools` (refused with a reason the person can act on)."""
    if study.design != Study.Design.RANDOMIZED:
        raise StudyError({"allocation": "Only a randomized trial has a random allocation."})
    if study.assignment_level != Study.Level.SCHOOL:
        raise StudyError({"allocation": (
            f"This study assigns {study.get_assignment_level_display().lower()}: their lists stay in the "
            "analytics store, so their allocation is drawn there by the data team, not on this page."
        )})
    name = baseline_name.strip() or "baseline"
    # In order of name, so that the same schools and seed give the same allocation however they were listed.
    schools = sorted(schools, key=lambda school: (school.name, school.pk))
    units = [{"unit": str(school.pk), "name": school.name, "block": block_of(study, school),
              **({"baseline": baseline[school.pk]} if school.pk in baseline else {})} for school in schools]
    covariates = {name: [baseline[school.pk] for school in schools]} if baseline else {}
    rule = randomization.BalanceRule(covariates, acceptance=acceptance) if acceptance and covariates else None
    procedure = randomization.Procedure(
        units=[unit["unit"] for unit in units],
        blocks=[unit["block"] for unit in units] if study.block_level else None,
        proportion=proportion, match_on=covariates[name] if match_pairs and covariates else None, balance=rule,
    )
    try:
        drawn = procedure.draw(secrets.randbits(62) if seed is None else seed)
        treated = sum(drawn.treated)
        # Hedges' g needs a variance in each group: two units at least on each side.
        comparable = covariates and min(treated, len(units) - treated) >= 2
        equivalence = randomization.baseline_equivalence(covariates, drawn.treated) if comparable else []
    except randomization.RandomizationError as error:
        raise StudyError({"allocation": str(error)}) from error
    balance_rule = {"covariates": list(covariates), "acceptance": acceptance} if rule else {}
    if match_pairs and covariates:
        balance_rule = {**balance_rule, "matched_on": name}
    return Draw(units, drawn, proportion, balance_rule, equivalence)


def save_allocation(study: Study, draw: Draw, user, channel: str, reason: str) -> Allocation:
    return Allocation.record(study, draw.drawn, draw.units, draw.proportion, draw.balance_rule, user, channel,
                             reason)

