"""What studies read from the cluster's analytics store: the variance parts of an outcome (ρ and R², for the power
panel) and a study's analytic sample (for its impact), each read authorized and written to the audit log.

Both read student-level rows, so both go through the same rules as every other read (improvenet.data.services):

- `variance_parts` is a read for designing a study: district readers (the lead, network admins, the data team)
  read under the district's authority; anyone else needs an active data use agreement naming them that permits
  the outcome's fields for the cluster's schools;
- `analytic_sample` is a read *under the study's own agreement*: the agreement must be active, permit the
  outcome's and the enrollments' fields, and cover every school the study assigned; the reader must be named in
  it or be a district reader. Nothing else opens a study's sample;
- `allocation_students`, the students a study that assigns students draws, is read under the study's agreement by
  the same rule (the enrollments' fields, and the outcome's for a baseline). Their allocation is kept beside the
  store as a roster file (studies/rosters.py), which `analytic_sample` reads back when its digest still matches.

Only aggregates leave these functions for the pages (ρ, R², counts, and the impact.Sample the studies app turns
into an estimate); the audit event records who read what, under which agreement, and how many rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from improvenet.analytics import outcomes
from improvenet.analytics.engines import open_tables
from improvenet.analytics.outcomes import Outcome, school_year_of
from improvenet.data.models import AuditEvent, DataRequest, DataUseAgreement
from improvenet.data.services import (
    DataSetupError,
    audit,
    authorize,
    is_district_reader,
    store_path,
    store_school_ids,
)
from improvenet.network.models import School
from improvenet.studies import randomization, rosters, variance
from improvenet.studies.attrition import Arm, Attrition
from improvenet.studies.impact import Impact, Sample
from improvenet.studies.models import Allocation, Study, StudyError
from improvenet.studies.statement import Findings

PRIOR_YEAR = "prior_year"
PRIOR_YEAR_MISSING = "prior_year_missing"
SCHOOL_MEAN_PRIOR_YEAR = "school_mean_prior_year"


def _existing_store(access, store: Path | None) -> Path:
    path = store or store_path(access.obj)
    if not path.exists():
        raise DataSetupError(f"There is no analytics store at {path} yet: load data first (improvenet data load).")
    return path


def outcome_choices(access, store: Path | None = None) -> list[Outcome]:
    """The outcomes a study of this cluster can choose: absence rate, GPA, and each assessment the store holds.
    Reads only the assessments' names (no student row), so it is neither authorized nor audited."""
    path = store or store_path(access.obj)
    if not path.exists():
        return [outcomes.ABSENCE_RATE, outcomes.GPA]
    with open_tables(path) as tables:
        return outcomes.available(tables)


@dataclass(frozen=True)
class StoreVariance:
    """ρ and R² of an outcome in the cluster's schools, with what they were computed from."""

    outcome: Outcome
    year: int
    """The school year (its ending year) of the outcome; the covariate is the student's value the year before."""
    parts: variance.VarianceParts
    """ρ₂ (and ρ₃ by pyramid) from every student with the outcome; R²₁, R²₂ (R²₃) from those with both years."""
    with_prior: int
    """Students with a value in both years: the sample of R²."""
    higher: str | None
    agreement: DataUseAgreement | None
    event: AuditEvent


def variance_parts(user, access, outcome_key: str, *, channel: str, year: int | None = None,
                   by_pyramid: bool = False, schools: Iterable[School] | None = None,
                   store: Path | None = None) -> StoreVariance:
    """ρ (between schools, and between pyramids when `by_pyramid`) and R² of the outcome explained by the
    student's prior-year value and its school mean, for the cluster's current schools (or `schools`), in `year`
    (default: the latest year with values). For the power panel: the figures go straight into
    improvenet.studies.power.Design (rho2, rho3, R1, R2, R3; n = students_per_school).

    Raises PermissionDenied (no agreement covers the read), DataSetupError (no store), and ValueError subclasses
    (OutcomeError, VarianceError) naming what the data lacks; each message is for the person who asked.
    """
    chosen = outcomes.outcome(outcome_key)
    agreement = authorize(user, access, frozenset(chosen.fields + outcomes.ENROLLMENT_FIELDS))
    path = _existing_store(access, store)
    by_store_id = _schools_by_store_id(schools)
    with open_tables(path) as tables:
        if year is None:
            year = _latest_year(tables, chosen)
        values = outcomes.student_values(tables, chosen, [year - 1, year]).to_pandas()
    values = values[values["school_id"].isin(list(by_store_id))]
    current = values[values["school_year"] == year]
    if current.empty:
        raise variance.VarianceError(f"The store holds no {chosen.label} for the school year {year_label(year)} "
                                     "in these schools.")
    prior = values[values["school_year"] == year - 1].set_index("student_id")["value"]
    school = current["school_id"].to_numpy()
    if by_pyramid:
        head_of = {key: str(by_store_id[key].feeds_into_id or by_store_id[key].pk) for key in set(school)}
        higher = [head_of[key] for key in school]
    else:
        higher = None
    parts = variance.variance_parts(current["value"].to_numpy(), school, higher)
    has_prior = current["student_id"].isin(prior.index).to_numpy()
    with_prior = int(has_prior.sum())
    if with_prior and len(set(school[has_prior])) >= 3:
        own = prior.reindex(current["student_id"][has_prior]).to_numpy()
        school_mean = _group_mean(own, school[has_prior])
        explained = variance.variance_parts(
            current["value"].to_numpy()[has_prior], school[has_prior],
            [h for h, keep in zip(higher, has_prior, strict=True) if keep] if higher else None,
            {PRIOR_YEAR: own, SCHOOL_MEAN_PRIOR_YEAR: school_mean})
        parts = _with_explained(parts, explained)
    event = audit(user, access, channel=channel, action=f"study variance {chosen.key}", agreement=agreement, detail={
        "outcome": chosen.key, "school_year": year, "by_pyramid": by_pyramid, "fields": sorted(chosen.fields),
        "schools": sorted({by_store_id[key].pk for key in set(school)}), "students": parts.students,
        "with_prior_year": with_prior,
    })
    return StoreVariance(chosen, year, parts, with_prior, "pyramid" if by_pyramid else None, agreement, event)


@dataclass(frozen=True)
class SampleRequest:
    """What a study reads: built by the studies app from a Study and its saved allocation.

    `label` names the study in the audit log ("study 12: Reading coaches"). `outcome`: an outcome key
    (improvenet.analytics.outcomes). `year`: the school year (its ending year) whose outcome is analysed.
    `assigned_on`: the day of the allocation; the students enrolled that day in an assigned school are the
    randomized sample, analysed with their school's arm wherever they are later (intention to treat), and
    students who joined a school later are left out. `treated`: School pk → True (treated) or False (control)
    for every assigned school. `blocks`: School pk → block label, when assignment was within blocks.
    `agreement`: the study's data use agreement. `grades`: the lowest and highest grade (0 for kindergarten) of
    the students the study is about, at assignment (None: the grades in which the outcome is measured, from the
    lowest to the highest grade of the assigned students who have it). `prior_year_covariate`: adjust for the
    student's value in the year before (students without one get the mean and an indicator) and for its mean in
    the student's school.
    """

    label: str
    outcome: str
    year: int
    assigned_on: datetime.date
    treated: Mapping[int, bool]
    agreement: DataUseAgreement | None
    blocks: Mapping[int, str] | None = None
    grades: tuple[int, int] | None = None
    prior_year_covariate: bool = True
    roster: Roster | None = None
    """A study that assigned students: its allocation's roster, whose students (with their arm and block) are the
    randomized sample; `treated` and `blocks` are then empty."""

    @property
    def schools(self) -> list[int]:
        """The schools whose students the sample reads (School pks)."""
        return list(self.roster.schools) if self.roster else list(self.treated)


@dataclass(frozen=True)
class Roster:
    """Where a student allocation's roster is (studies.rosters), its digest, and the schools of its students."""

    path: Path
    sha256: str
    schools: tuple[int, ...]


def roster_folder(cluster) -> Path:
    """The folder of the cluster's allocation rosters: beside its analytics store, never in the web database."""
    return store_path(cluster).parent / "allocations"


def roster_of(allocation: Allocation) -> Roster:
    return Roster(roster_folder(allocation.study.cluster) / allocation.roster_file, allocation.roster_sha256,
                  tuple(allocation.selection["schools"]))


def request_for(study: Study, outcome: str | None = None) -> SampleRequest:
    """The sample request of a study assigned by school, classroom or student, from its current allocation: the
    students enrolled in the assigned schools when the study's window starts (or the students its roster assigned)
    are its sample, the outcome (default the primary) is that of the school year in which the window ends. Raises
    StudyError when the study has no allocation of its unit or assigns other units."""
    allocation = study.current_allocation()
    if study.assignment_level not in (Study.Level.SCHOOL, Study.Level.STUDENT, Study.Level.CLASSROOM):
        raise StudyError({"assignment_level": "The store gives the samples of studies that assign schools, "
                                              "classrooms or students."})
    if allocation is None or allocation.level != study.assignment_level:
        units = study.get_assignment_level_display().lower()
        raise StudyError({"allocation": f"Save the study's allocation first: its sample is the {units} it assigned."})
    if allocation.has_roster:
        return SampleRequest(
            label=f"study {study.pk}: {study.title}", outcome=outcome or study.primary_outcome,
            year=school_year_of(study.ends_on), assigned_on=study.starts_on, treated={}, agreement=study.agreement,
            roster=roster_of(allocation),
        )
    units = allocation.units
    return SampleRequest(
        label=f"study {study.pk}: {study.title}", outcome=outcome or study.primary_outcome,
        year=school_year_of(study.ends_on), assigned_on=study.starts_on,
        treated={int(unit["unit"]): bool(unit["treated"]) for unit in units},
        blocks={int(unit["unit"]): unit["block"] for unit in units} if study.block_level else None,
        agreement=study.agreement,
    )


@dataclass(frozen=True)
class AnalyticSample:
    sample: Sample
    """One entry per analysed student: outcome, treatment (1/0), school (store id), block, covariates."""
    outcome: Outcome
    students: Attrition
    """Students of the study's grades enrolled in an assigned school on the day of assignment (or assigned by its
    roster), and those of them analysed, per arm."""
    grades: tuple[int, int] | None
    schools: Attrition | None
    """Schools (or class sections) assigned, and those with at least one analysed student, per arm (None when students
    were assigned)."""
    analysed_by_school: dict[int, int]
    """School pk → students analysed (counts, for the estimates by site)."""
    agreement: DataUseAgreement
    event: AuditEvent
    roster: pd.DataFrame | None = None
    """A student allocation's roster as drawn (studies.rosters.COLUMNS), to re-draw it for randomization inference."""


def analytic_sample(user, access, request: SampleRequest, *, channel: str,
                    store: Path | None = None) -> AnalyticSample:
    """The study's analytic sample from the store, read under the study's data use agreement and audited.

    Raises PermissionDenied with what is missing (no agreement, an expired one, fields or schools it does not
    cover, a reader it does not name), DataSetupError (no store), or ValueError subclasses (OutcomeError, a study
    without both arms) whose message says what to fix.
    """
    chosen = outcomes.outcome(request.outcome)
    fields = frozenset(chosen.fields + outcomes.ENROLLMENT_FIELDS)
    _require_study_agreement(user, access, request.agreement, request.schools, fields)
    if request.roster is None and set(request.treated.values()) != {True, False}:
        raise ValueError("The study's allocation needs both treated and control schools.")
    path = _existing_store(access, store)
    school_of = _store_ids(request.schools)
    roster = rosters.read_roster(request.roster.path, request.roster.sha256).to_pandas() if request.roster else None
    with open_tables(path) as tables:
        if roster is None:
            randomized = outcomes.enrolled_on(tables, request.assigned_on).to_pandas()
        years = [request.year - 1, request.year] if request.prior_year_covariate else [request.year]
        values = outcomes.student_values(tables, chosen, years).to_pandas()
    if roster is None:
        # In a fixed order, so that the same store gives the same sample (the engine returns rows in any order).
        randomized = randomized[randomized["school_id"].isin(list(school_of))].sort_values(["school_id", "student_id"])
        pk_of = randomized["school_id"].map(school_of)
        randomized = randomized.assign(treated=pk_of.map(request.treated).astype(bool),
                                       block=pk_of.map(request.blocks or {}))
        blocked = bool(request.blocks)
    else:
        # Intention to treat: every student the roster assigned, with the arm and block drawn, wherever they are now.
        randomized, blocked = roster, bool((roster["block"] != "").any())
    outcome_now = values[values["school_year"] == request.year].set_index("student_id")["value"]
    if randomized.empty:
        raise ValueError(f"The store has no student enrolled in the study's schools on "
                         f"{request.assigned_on:%B %-d, %Y}, the day its window starts: check the window against "
                         "the school years loaded.")
    if not randomized["student_id"].isin(outcome_now.index).any():
        raise ValueError(f"The store holds no {chosen.label} in the school year {year_label(request.year)} for "
                         "the study's students: load that year's data first.")
    # The study is about the grades its outcome measures: by default those of the students who have it.
    measured = randomized[randomized["student_id"].isin(outcome_now.index)]["grade_level"]
    grades = request.grades or ((int(measured.min()), int(measured.max())) if len(measured) else None)
    if grades is not None and roster is None:
        randomized = randomized[randomized["grade_level"].between(*grades)]
    kept = randomized[randomized["student_id"].isin(outcome_now.index)]
    pk = kept["school_id"].map(school_of).to_numpy()
    covariates = {}
    if request.prior_year_covariate:
        before = values[values["school_year"] == request.year - 1].set_index("student_id")["value"]
        covariates = _prior_covariates(before.reindex(kept["student_id"]).to_numpy(), kept["school_id"].to_numpy())
        if roster is not None and _one_school_per_block(kept, blocked):
            # Students assigned within their school: its mean is the school's block effect already.
            covariates.pop(SCHOOL_MEAN_PRIOR_YEAR, None)
    sample = Sample(
        outcome=outcome_now.reindex(kept["student_id"]).to_numpy().tolist(),
        treatment=kept["treated"].astype(int).tolist(),
        # The unit of assignment is the cluster of the CR2 errors: the school, the class section, or each student
        # assigned alone.
        cluster=kept[_assigned_unit(roster)].tolist(),
        block=kept["block"].tolist() if blocked else None,
        covariates=covariates or None,
    )
    students = Attrition(*(Arm(int((randomized["treated"] == arm).sum()), int((kept["treated"] == arm).sum()))
                           for arm in (True, False)), unit="students")
    analysed_by_school = {int(p): int(count) for p, count in zip(*np.unique(pk[~pd.isna(pk)], return_counts=True),
                                                                 strict=True)}
    schools = None if roster is not None else Attrition(
        *(Arm(sum(1 for t in request.treated.values() if t == arm),
              sum(1 for p in analysed_by_school if request.treated[p] == arm)) for arm in (True, False)),
        unit="schools")
    if roster is not None and rosters.assigns_sections(roster):
        # Classrooms are the clusters assigned: the WWC judges their attrition first, then the students'.
        schools = Attrition(*(Arm(int(randomized.loc[randomized["treated"] == arm, "section"].nunique()),
                                  int(kept.loc[kept["treated"] == arm, "section"].nunique())) for arm in (True, False)),
                            unit="class sections")
    detail = {"study": request.label, "outcome": chosen.key, "school_year": request.year,
              "assigned_on": request.assigned_on.isoformat(), "grades": grades, "fields": sorted(fields),
              "schools": sorted(request.schools), "rows": len(sample.outcome)}
    if request.roster:
        detail["roster_sha256"] = request.roster.sha256
    event = audit(user, access, channel=channel, action=f"study sample {chosen.key}", agreement=request.agreement,
                  detail=detail)
    return AnalyticSample(sample, chosen, students, grades, schools, analysed_by_school, request.agreement, event,
                          roster)


@dataclass(frozen=True)
class StudentChoice:
    """Whose students a student allocation draws: those enrolled at some time of `school_year` (its ending year)
    in `schools`, of `grades` (lowest and highest; None: every grade), with the year before's value of `baseline`
    (an outcome key; "" for no baseline); with `sections`, only the students the class roster places in a section
    of their school that year."""

    schools: tuple[School, ...]
    school_year: int
    grades: tuple[int, int] | None = None
    baseline: str = ""
    sections: bool = False
    """A classroom allocation: each student with the class section they sit in (the store's class roster)."""


def allocation_students(user, access, study: Study, choice: StudentChoice, *, channel: str,
                        store: Path | None = None) -> pd.DataFrame:
    """The students a student allocation draws, read from the store under the study's agreement and audited:
    `student_id`, `school_id` (the store's), `school` (its School pk), `grade_level` and `baseline` (the prior
    year's outcome, NaN when the student has none), in order of student id, so that the same store, choice and seed
    give the same allocation. Nothing of it leaves for a page but counts.

    Raises PermissionDenied (the agreement does not cover the read), DataSetupError (no store) or ValueError
    naming what the store lacks."""
    fields = outcomes.ENROLLMENT_FIELDS + (outcomes.SECTION_FIELDS if choice.sections else ())
    chosen = outcomes.outcome(choice.baseline) if choice.baseline else None
    if chosen is not None:
        fields = fields + chosen.fields
    pks = [school.pk for school in choice.schools]
    _require_study_agreement(user, access, study.agreement, pks, frozenset(fields))
    path = _existing_store(access, store)
    school_of = _store_ids(pks)
    with open_tables(path) as tables:
        enrolled = outcomes.enrolled_in(tables, choice.school_year).to_pandas()
        prior = (outcomes.student_values(tables, chosen, [choice.school_year - 1]).to_pandas() if chosen
                 else pd.DataFrame({"student_id": [], "value": []}))
        sections = outcomes.sections_in(tables, choice.school_year).to_pandas() if choice.sections else None
    students = enrolled[enrolled["school_id"].isin(list(school_of))]
    if choice.grades is not None:
        students = students[students["grade_level"].between(*choice.grades)]
    if sections is not None:
        students = _in_first_section(students, sections, choice)
    students = students.sort_values("student_id").reset_index(drop=True)
    if students.empty:
        grades = f" in grades {choice.grades[0]} to {choice.grades[1]}" if choice.grades else ""
        raise ValueError(f"The store has no student enrolled{grades} in these schools in the school year "
                         f"{year_label(choice.school_year)}: check the year against the school years loaded.")
    baseline = prior.set_index("student_id")["value"].reindex(students["student_id"]).to_numpy()
    students = students.assign(school=students["school_id"].map(school_of), baseline=baseline)
    audit(user, access, channel=channel, action="study allocation students", agreement=study.agreement, detail={
        "study": f"study {study.pk}: {study.title}", "school_year": choice.school_year,
        "grades": list(choice.grades) if choice.grades else None, "schools": sorted(pks), "fields": sorted(fields),
        "baseline": choice.baseline, "students": len(students),
        **({"sections": int(students["section"].nunique())} if choice.sections else {}),
        "with_baseline": int((~np.isnan(baseline.astype(float))).sum()) if len(baseline) else 0,
    })
    return students


def _in_first_section(students: pd.DataFrame, sections: pd.DataFrame, choice: StudentChoice) -> pd.DataFrame:
    """The students with `section`, the first by code of the sections they sit in at their school that year (a
    student in several sections of the study belongs to one, so that each student has one arm), keyed
    "<school id>/<section code>" since codes are unique only within a school. Students in no section are left out."""
    if sections.empty:
        raise ValueError(f"The store holds no class roster for the school year {year_label(choice.school_year)}: "
                         "load the district's class_rosters.csv (docs/data.md) to assign classrooms.")
    first = (sections.sort_values(["student_id", "school_id", "section_id"])
             .drop_duplicates(["student_id", "school_id"]))
    placed = students.merge(first, on=["student_id", "school_id"], how="inner")
    if placed.empty:
        raise ValueError("The class roster places none of these students in a section of their school in the school "
                         f"year {year_label(choice.school_year)}: check the schools, grades and year.")
    return placed.assign(section=placed["school_id"] + "/" + placed["section_id"]).drop(columns="section_id")


DESIGN_KINDS = {Study.Design.RANDOMIZED: "experimental", Study.Design.MATCHED: "quasi_experimental",
                Study.Design.DIFFERENCE_IN_DIFFERENCES: "quasi_experimental"}
BLOCK_WORDS = {Study.BlockLevel.SCHOOL: "schools", Study.BlockLevel.PYRAMID: "pyramids",
               Study.BlockLevel.CLUSTER: "clusters"}


def findings_for(study: Study, read: AnalyticSample, fit: Impact, assumption: str = "cautious") -> Findings:
    """What the evidence statement (improvenet.studies.statement) needs, from the study, its sample and its
    estimate. Baseline equivalence is that of the analysed groups on the prior-year outcome, among the students
    who have one; the districts are the study's clusters (one store each)."""
    covariates = read.sample.covariates or {}
    equivalence = None
    if PRIOR_YEAR in covariates:
        has_prior = np.asarray(covariates.get(PRIOR_YEAR_MISSING, [0.0] * len(read.sample.outcome))) == 0
        treated = np.asarray(read.sample.treatment)[has_prior] == 1
        if min(treated.sum(), (~treated).sum()) >= 2:
            prior = np.asarray(covariates[PRIOR_YEAR])[has_prior].tolist()
            equivalence = randomization.baseline_equivalence({PRIOR_YEAR: prior}, treated.tolist())[0].verdict
    return Findings(
        design=DESIGN_KINDS[study.design], assigned=study.get_assignment_level_display().lower(),
        outcome=read.outcome.label, outcome_unit=read.outcome.unit, impact=fit, students=read.students,
        clusters=read.schools, blocked_by=BLOCK_WORDS.get(study.block_level), favourable=read.outcome.favourable,
        assumption=assumption, equivalence=equivalence, adjusted_in_model=PRIOR_YEAR in covariates,
        schools=len(read.analysed_by_school), districts=1 + study.shared_with.count(),
    )


def _require_study_agreement(user, access, agreement: DataUseAgreement | None, schools: Iterable[int],
                             fields: frozenset[str]) -> None:
    if agreement is None:
        raise PermissionDenied("This study names no data use agreement: its sample can only be read under one. "
                               "Choose the agreement it runs under.")
    if not (is_district_reader(user, access) or agreement.researchers.filter(pk=user.pk).exists()):
        raise PermissionDenied(f"The study runs under “{agreement.project}”, which does not name you: ask the "
                               "cluster lead to add you to it.")
    missing = agreement.missing_for(DataRequest(fields, frozenset(schools), timezone.localdate()))
    if missing:
        raise PermissionDenied(f"The study's agreement “{agreement.project}” does not cover this read: it lacks "
                               f"{'; '.join(missing)}.")


def _store_ids(schools: Iterable[int]) -> dict[str, int]:
    """The store's id → School pk of `schools`; a ValueError names those the store cannot know (a school is known to
    the store by its state id or its NCES id, whichever the district's files use)."""
    wanted = set(schools)
    school_of = {key: school.pk for key, school in store_school_ids().items() if school.pk in wanted}
    unknown = [school.name for school in School.objects.filter(pk__in=wanted) if school.pk not in school_of.values()]
    if unknown:
        raise ValueError(f"The study's schools {', '.join(sorted(unknown))} have no state or NCES id: the store "
                         "names schools by the id the district's files use.")
    return school_of


def _prior_covariates(prior: np.ndarray, school: np.ndarray) -> dict[str, list[float]]:
    """The prior-year values, the missing ones set to the mean of the others and flagged in a column of their own
    (left out when nothing or everything is missing, as it would be constant), and the school's mean of the
    prior-year values it has: the school-level covariate that takes most of the schools' lasting differences out
    of a cluster-randomized study's error (Bloom, Richburg-Hayes & Black 2007)."""
    missing = np.isnan(prior)
    if missing.all():
        return {}
    filled = np.where(missing, prior[~missing].mean(), prior)
    columns = {PRIOR_YEAR: filled.tolist()}
    if missing.any():
        columns[PRIOR_YEAR_MISSING] = missing.astype(float).tolist()
    present = pd.Series(prior).groupby(school).transform("mean")
    columns[SCHOOL_MEAN_PRIOR_YEAR] = present.fillna(prior[~missing].mean()).tolist()
    return columns


def _assigned_unit(roster: pd.DataFrame | None) -> str:
    """The sample's column naming each student's unit of assignment."""
    if roster is None:
        return "school_id"
    return "section" if rosters.assigns_sections(roster) else "student_id"


def _one_school_per_block(students: pd.DataFrame, blocked: bool) -> bool:
    if not blocked:
        return students["school_id"].nunique() == 1
    return bool((students.groupby("block")["school_id"].nunique() == 1).all())


def _schools_by_store_id(schools: Iterable[School] | None) -> dict[str, School]:
    known = store_school_ids()
    if schools is None:
        return known
    wanted = {school.pk for school in schools}
    return {key: school for key, school in known.items() if school.pk in wanted}


def _latest_year(tables, chosen: Outcome) -> int:
    table = {"absence-rate": "calendar_date", "gpa": "course_mark"}.get(chosen.key, "student_assessment")
    years = tables[table].select("school_year").unique().collect(backend="pyarrow").to_native()
    found = [year for year in years.column("school_year").to_pylist() if year is not None]
    if not found:
        raise variance.VarianceError(f"The store holds no {chosen.label} yet.")
    return max(found)


def _group_mean(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    names, index = np.unique(groups, return_inverse=True)
    return (np.bincount(index, weights=values) / np.bincount(index))[index]


def _with_explained(parts: variance.VarianceParts, explained: variance.VarianceParts) -> variance.VarianceParts:
    return replace(parts, R1=explained.R1, R2=explained.R2, R3=explained.R3)


def year_label(year: int) -> str:
    return f"{year - 1}–{year % 100:02d}"

