"""What the study pages and the API share: the power answer for a set of parameters, and drawing an
allocation of a study's schools or clusters, or of the students or class sections of its schools (its preview with the
baseline-equivalence table, then its saving)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from improvenet.analytics import outcomes
from improvenet.network.models import Cluster, School
from improvenet.studies import power, randomization, rosters
from improvenet.studies.models import Allocation, Study, StudyError

if TYPE_CHECKING:  # pandas and pyarrow take seconds to load: the store is imported where students are read
    import pandas as pd
    import pyarrow as pa

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


def power_answer(design: str, parameters: dict, target: float | None, level: str = "") -> PowerAnswer:
    """The power panel's answer; `level` is the study's assignment level, which names the units assigned."""
    if design not in power.RULES:
        return PowerAnswer(design, "", problem="Choose a power design to see the smallest detectable effect.")
    assigned = Study.Level.CLASSROOM.label if level == Study.Level.CLASSROOM else Study.Level.SCHOOL.label
    label = power.RULES[design].label_for(assigned)
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
    return power_answer(study.power_design, study.power_parameters, study.smallest_effect, study.assignment_level)


@dataclass(frozen=True)
class Draw:
    """An allocation drawn but not saved: what the preview shows and what saving stores."""

    units: list[dict]
    drawn: randomization.Allocation
    proportion: float
    balance_rule: dict
    equivalence: list[randomization.Equivalence]


def block_of(study: Study, school: School) -> str:
    """The block a school (or its students) is assigned within: the school itself (students within schools), its
    feeder pyramid (the high school it feeds), the cluster, or none."""
    if study.block_level == Study.BlockLevel.SCHOOL:
        return school.name
    if study.block_level == Study.BlockLevel.PYRAMID:
        head = school.feeds_into if school.feeds_into_id else school
        return head.name
    if study.block_level == Study.BlockLevel.CLUSTER:
        return study.cluster.name
    return ""


def require_allocation_level(study: Study, *levels: str) -> None:
    """Refuse, with what to do instead, a study that is not randomized or does not assign one of `levels`."""
    if study.design != Study.Design.RANDOMIZED:
        raise StudyError({"allocation": "Only a randomized trial has a random allocation."})
    if study.assignment_level not in levels:
        units = study.get_assignment_level_display().lower()
        raise StudyError({"allocation": f"This study assigns {units}: draw an allocation of its {units}."})


def draw_allocation(study: Study, schools: list[School] | list[Cluster], proportion: float, baseline_name: str,
                    baseline: dict[int, float], match_pairs: bool, acceptance: float | None,
                    seed: int | None) -> Draw:
    """Draw the study's allocation of `schools`, or of clusters for a study that assigns clusters (the study's own
    and those it is shared with; never blocked), refused with a reason the person can act on."""
    require_allocation_level(study, Study.Level.SCHOOL, Study.Level.CLUSTER)
    if study.assignment_level == Study.Level.CLUSTER:
        allowed = {study.cluster_id, *study.shared_with.values_list("pk", flat=True)}
        if any(not isinstance(unit, Cluster) or unit.pk not in allowed for unit in schools):
            raise StudyError({"cluster_ids": "Choose among the study's clusters: its own and those it is shared with."})
    name = baseline_name.strip() or "baseline"
    # In order of name, so that the same schools and seed give the same allocation however they were listed.
    schools = sorted(schools, key=lambda school: (school.name, school.pk))
    blocked = study.block_level and study.assignment_level == Study.Level.SCHOOL
    units = [{"unit": str(school.pk), "name": school.name, "block": block_of(study, school) if blocked else "",
              **({"baseline": baseline[school.pk]} if school.pk in baseline else {})} for school in schools]
    covariates = {name: [baseline[school.pk] for school in schools]} if baseline else {}
    rule = randomization.BalanceRule(covariates, acceptance=acceptance) if acceptance and covariates else None
    procedure = randomization.Procedure(
        units=[unit["unit"] for unit in units],
        blocks=[unit["block"] for unit in units] if blocked else None,
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
                             reason, level=study.assignment_level)


@dataclass(frozen=True)
class StudentDraw:
    """A student or classroom allocation drawn but not saved. Its students (pseudonymous ids) stay in memory, then
    in the roster file beside the store; what pages show and the web database keeps is `counts`, `equivalence` and
    `selection`. A classroom allocation draws the students' sections (`drawn` lists them); each student takes the
    arm of their section."""

    study: Study
    students: pd.DataFrame
    """studies.store.allocation_students, with each student's `block` (and `section`, for classrooms)."""
    treated: list[bool]
    """Each student's arm, in the order of `students`."""
    drawn: randomization.Allocation
    proportion: float
    balance_rule: dict
    equivalence: list[dict]
    counts: list[dict]
    """Students per block and arm, exact (pages show `shown_counts`)."""
    selection: dict = field(default_factory=dict)

    @property
    def shown_counts(self) -> list[dict]:
        return rosters.suppressed_counts(self.counts)

    def roster(self) -> pa.Table:
        import pyarrow as pa

        frame = self.students
        return pa.table({
            "student_id": frame["student_id"].astype(str).tolist(), "school_id": frame["school_id"].tolist(),
            "grade_level": frame["grade_level"].astype(int).tolist(), "block": frame["block"].tolist(),
            "baseline": rosters.optional_floats(frame["baseline"]), "treated": self.treated,
            "section": frame["section"].tolist() if "section" in frame else [None] * len(frame),
        }, schema=rosters.schema())

    def write(self, number: int) -> tuple[str, str]:
        """Write the roster of allocation `number` once beside the store; its file name and SHA-256 digest."""
        from improvenet.studies import store

        return rosters.write_roster(store.roster_folder(self.study.cluster),
                                    f"study-{self.study.pk}-allocation-{number}", self.roster())


def draw_student_allocation(user, access, study: Study, schools: list[School], school_year: int,
                            grades: tuple[int, int] | None, proportion: float, baseline: bool, match_pairs: bool,
                            acceptance: float | None, seed: int | None, *, channel: str,
                            store_path=None) -> StudentDraw:
    """Draw the study's allocation of the students enrolled in `schools` in `school_year` (of `grades`), within
    the study's blocks, balanced on the prior year's primary outcome when `baseline` (the store's read is
    authorized under the study's agreement and audited). A study that assigns classrooms draws the class sections
    of these students instead (each student in the first of their sections by code), balanced on the mean of their
    students' baselines; its students take their section's arm. Refused with a reason the person can act on; the
    store's refusals (PermissionDenied, DataSetupError, ValueError) pass through."""
    # Imported here: the store loads pandas, which starting the site must not pay for.
    from improvenet.studies import store

    require_allocation_level(study, Study.Level.STUDENT, Study.Level.CLASSROOM)
    classrooms = study.assignment_level == Study.Level.CLASSROOM
    if not schools:
        raise StudyError({"schools": "Choose the schools whose students are assigned."})
    if grades is not None and grades[0] > grades[1]:
        raise StudyError({"grades": f"The lowest grade ({grades[0]}) is above the highest ({grades[1]})."})
    outcome = study.primary_outcome if baseline else ""
    if outcome and not outcomes.is_outcome(outcome):
        raise StudyError({"baseline": (f"The primary outcome, {study.primary_outcome_label}, is a measure of the "
                                       "cluster, not a student outcome of the store: it gives no student baseline.")})
    if (match_pairs or acceptance) and not outcome:
        raise StudyError({"baseline": "Pairing and re-randomizing balance the students on a baseline: tick "
                                      "the prior year's outcome as the baseline."})
    schools = sorted(schools, key=lambda school: (school.name, school.pk))
    choice = store.StudentChoice(tuple(schools), school_year, grades, outcome, sections=classrooms)
    students = store.allocation_students(user, access, study, choice, channel=channel, store=store_path)
    by_pk = {school.pk: school for school in schools}
    students = students.assign(block=[block_of(study, by_pk[pk]) for pk in students["school"]])
    values = rosters.optional_floats(students["baseline"])
    blocks = students["block"].tolist() if study.block_level else None
    sections = students["section"].tolist() if classrooms else None
    try:
        if classrooms:
            procedure = rosters.section_procedure(sections, blocks, values, proportion, match_pairs, acceptance)
        else:
            procedure = rosters.procedure(students["student_id"].astype(str).tolist(), blocks, values, proportion,
                                          match_pairs, acceptance)
        drawn = procedure.draw(secrets.randbits(62) if seed is None else seed)
    except randomization.RandomizationError as error:
        raise StudyError({"allocation": str(error)}) from error
    if classrooms:
        arm_of = drawn.as_dict()
        treated = [arm_of[section] for section in sections]
    else:
        treated = list(drawn.treated)
    balance_rule = {"baseline": outcome} if outcome else {}
    if acceptance:
        balance_rule |= {"covariates": list(rosters.baseline_covariates(values)), "acceptance": acceptance}
    if match_pairs:
        balance_rule |= {"matched_on": rosters.BASELINE}
    with_value = sum(value is not None for value in values)
    # Among the students with last year's value: the label says how many, since the rest are not compared.
    equivalence = [{"covariate": f"{outcomes.outcome(outcome).label}, {store.year_label(school_year - 1)} "
                                 f"({with_value} of {len(values)} students have it)",
                    "g": float(row.g), "verdict": row.verdict}
                   for row in rosters.equivalence(values, treated)] if outcome else []
    selection = {"school_year": school_year, "grades": list(grades) if grades else None,
                 "schools": [school.pk for school in schools]}
    return StudentDraw(study, students, treated, drawn, proportion, balance_rule, equivalence,
                       rosters.block_counts(students["block"].tolist(), treated, sections), selection)


def save_student_allocation(study: Study, draw: StudentDraw, user, channel: str, reason: str) -> Allocation:
    return Allocation.record(study, draw.drawn, [], draw.proportion, draw.balance_rule, user, channel, reason,
                             level=study.assignment_level, students=draw)
