"""Per-school difference-in-differences estimates computed from the cluster's analytics store, offered to the
evidence ledger: each innovation school alone against the comparison schools, standardized so the ledger can pool
them (improvenet.analytics.did.standardized; docs/synthesis.md, "Estimates computed from the store").

The store is read as every student-level page reads it (improvenet.data.services.read_metric: the agreement check
and an audit event per read, small cells suppressed), and the estimates themselves are written to the audit log.
A school with a suppressed year gets no estimate: leaving its small years out would change whom it compares.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from improvenet.data import services as data
from improvenet.network.models import School, current_on
from improvenet.synthesis.models import SchoolEstimate

# Rates where fewer is better: their sign is turned so a positive effect means the change did better.
FEWER_IS_BETTER = {"chronic-absenteeism"}


@dataclass(frozen=True)
class ComputedEstimate:
    school: School
    effect: float | None
    """In standard deviations of the outcome at baseline, positive when the school did better; None with `reason`."""
    standard_error: float | None
    points: float | None
    """The same difference in percentage points, as computed (before the sign is turned)."""
    comparison: str
    reason: str = ""


def may_compute(user, access) -> bool:
    """The cluster lead, network admins and the data team (not as researchers) compute and include them."""
    return data.is_district_reader(user, access)


def require_compute(user, access) -> None:
    if not may_compute(user, access):
        raise PermissionDenied("Computed estimates are open to the cluster lead and the data team.")


def outcome_label(metric: str) -> str:
    return f"{metric.replace('-', ' ').capitalize()} rate (standard deviations at baseline)"


def per_school_estimates(user, access, metric: str, start_year: int, *, channel: str, min_n: int = 10,
                         store: Path | None = None) -> list[ComputedEstimate]:
    """One estimate per innovation school that has data, or the reason it has none; authorized and audited."""
    # Imported when used: the ledger's pages that never compute do not load pandas and statsmodels.
    import pandas as pd

    from improvenet.analytics.did import DidInputError, baseline_rate, difference_in_differences, standardized

    require_compute(user, access)
    if metric not in data.RATE_METRICS:
        raise ValueError(f"Choose one of the rates by school and year: {', '.join(data.RATE_METRICS)}.")
    read = data.read_metric(user, access, metric, {}, channel=channel, min_n=min_n, store=store)
    frame = data.school_rates(read)
    keys_of: dict[School, set[str]] = {}
    for key in set(frame["school_id"]):
        if key in read.schools:
            keys_of.setdefault(read.schools[key], set()).add(key)
    suppressed = set(frame.loc[frame["suppressed"], "school_id"])
    comparison_schools = [school for school in keys_of if school.role == School.Role.COMPARISON]
    comparison = frame[frame["school_id"].isin({key for school in comparison_schools for key in keys_of[school]}
                                               - suppressed)]
    left_out = sorted(school.name for school in comparison_schools if keys_of[school] & suppressed)
    left_out_words = f" ({', '.join(left_out)} left out: a year below the minimum cell size)" if left_out else ""
    found = []
    for school in sorted((s for s in keys_of if s.role == School.Role.INNOVATION), key=lambda s: s.name):
        rows = frame[frame["school_id"].isin(keys_of[school])]
        if keys_of[school] & suppressed:
            found.append(_none(school, f"Fewer than {min_n} students in at least one year: the figures are "
                                       "suppressed, so no estimate is computed."))
            continue
        both = pd.concat([rows, comparison], ignore_index=True)
        try:
            result = difference_in_differences(both, keys_of[school], start_year, weight="weight")
            rate = baseline_rate(both, start_year, weight="weight")
            effect, variance = standardized(result.effect, rate)
        except DidInputError as problem:
            found.append(_none(school, str(problem)))
            continue
        sign = -1 if metric in FEWER_IS_BETTER else 1
        years = f"{result.school_years[0]} to {result.school_years[-1]}"
        found.append(ComputedEstimate(
            school, sign * effect, variance ** 0.5, result.effect.coefficient * 100,
            f"{result.comparison_schools} comparison schools{left_out_words}, {years}; baseline rate {rate:.1%}"))
    data.audit(user, access, channel=channel, action=f"analysis did per school {metric}", agreement=read.agreement,
               detail={"start_year": start_year, "min_n": min_n,
                       "estimates": {e.school.pk: e.effect for e in found if e.effect is not None},
                       "without": sorted(e.school.pk for e in found if e.effect is None)})
    return found


def _none(school: School, reason: str) -> ComputedEstimate:
    return ComputedEstimate(school, None, None, None, "", reason)


def include(chosen: list[tuple[ComputedEstimate, str]], *, cluster, subject_kind: str, subject, metric: str,
            start_year: int, user) -> list[SchoolEstimate]:
    """Record the chosen computed estimates in the ledger, each with its inclusion reason, all or none."""
    today = timezone.localdate().isoformat()
    records = []
    for estimate, reason in chosen:
        record = SchoolEstimate(
            cluster=cluster, school=estimate.school, outcome=outcome_label(metric), start_year=start_year,
            comparison=estimate.comparison, effect=estimate.effect, standard_error=estimate.standard_error,
            scale="smd", included=True, inclusion_reason=reason, entered_by=user, **{subject_kind: subject},
            computed_from=(f"Computed from the analytics store on {today}: {metric}, a difference of "
                           f"{estimate.points:+.1f} percentage points, standardized"))
        record.full_clean()
        records.append(record)
    with transaction.atomic():
        for record in records:
            record.save()
    return records


def already_in_ledger(subject_kind: str, subject, metric: str, start_year: int) -> set[int]:
    """The schools whose computed estimate of this rate and start year is in the subject's ledger already."""
    return set(SchoolEstimate.objects.filter(
        current_on(), outcome=outcome_label(metric), start_year=start_year, **{subject_kind: subject},
    ).exclude(computed_from="").values_list("school_id", flat=True))
