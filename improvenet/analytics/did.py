"""Difference-in-differences for a change some schools started in a given year, from a school-by-year metric.

`difference_in_differences(frame, treated, start_year)` takes one row per school and school year
(school_id, school_year, rate, optionally a weight such as the number of students) and fits

    rate = school effect + year effect + effect x (treated school and year >= start year)

by least squares (weighted when a weight column is given), with standard errors clustered by school:
a school's years are not independent observations. The event study replaces the single effect by one
coefficient per year relative to the start (the year before the start is the reference, fixed at 0),
so the years before the start show whether treated and comparison schools moved in parallel.

`standardized(effect, baseline_rate)` puts an effect on a rate on the scale the evidence ledger pools: standard
deviations of the yes/no outcome at baseline, sqrt(p (1 - p)) for the pooled baseline rate p (docs/synthesis.md).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm

from improvenet.spc.vega import SCHEMA

# Below this many schools on either side, clustered standard errors are known to be too small.
FEW_CLUSTERS = 10
CONFIDENCE = 0.95
REFERENCE_OFFSET = -1
POINTS = "percentage points"


class DidInputError(ValueError):
    """The data cannot support the comparison; the message says why in plain words."""


@dataclass(frozen=True)
class Estimate:
    coefficient: float
    std_error: float
    ci_low: float
    ci_high: float
    p_value: float


@dataclass(frozen=True)
class EventStudyPoint:
    relative_year: int
    """Years since the start: 0 is the first year of the change, -1 the reference year."""
    school_year: int
    coefficient: float
    ci_low: float
    ci_high: float
    std_error: float
    reference: bool = False


@dataclass
class DidResult:
    effect: Estimate
    """The average change in the rate in treated schools from the start on, beyond the comparison schools'."""
    event_study: list[EventStudyPoint]
    start_year: int
    treated_schools: int
    comparison_schools: int
    school_years: list[int]
    weighted: bool
    pre_trend_p_value: float | None
    """Joint test that every coefficient before the start is 0 (None with no year before the reference)."""
    caveats: list[str] = field(default_factory=list)

    def chart_spec(self, metric_label: str = "rate", title: str | None = None) -> dict[str, Any]:
        return event_study_spec(self, metric_label, title)


def difference_in_differences(
    frame: pd.DataFrame,
    treated: Iterable[str],
    start_year: int,
    *,
    rate: str = "rate",
    weight: str | None = None,
) -> DidResult:
    """Two-way fixed-effects difference-in-differences and event study; DidInputError on unusable input."""
    data = _checked(frame, {str(school) for school in treated}, start_year, rate, weight)
    groups = pd.factorize(data["school_id"])[0]
    weights = data[weight].to_numpy(float) if weight else None
    fixed_effects = _fixed_effects(data)

    post = (data["treated"] & (data["school_year"] >= start_year)).astype(float).rename("effect")
    effect_fit = _fit(data[rate], pd.concat([post, fixed_effects], axis=1), weights, groups)
    effect = _estimate(effect_fit, "effect")

    relative = data["school_year"] - start_year
    offsets = sorted(set(relative[data["treated"]]) - {REFERENCE_OFFSET})
    events = pd.DataFrame({_event_name(k): ((relative == k) & data["treated"]).astype(float) for k in offsets})
    events_fit = _fit(data[rate], pd.concat([events, fixed_effects], axis=1), weights, groups)
    points = [EventStudyPoint(REFERENCE_OFFSET, start_year + REFERENCE_OFFSET, 0.0, 0.0, 0.0, 0.0, reference=True)]
    for offset in offsets:
        estimate = _estimate(events_fit, _event_name(offset))
        points.append(EventStudyPoint(offset, start_year + offset, estimate.coefficient, estimate.ci_low,
                                      estimate.ci_high, estimate.std_error))
    points.sort(key=lambda point: point.relative_year)

    leads = [_event_name(k) for k in offsets if k < REFERENCE_OFFSET]
    pre_trend = None
    if leads:
        restriction = np.zeros((len(leads), len(events_fit.params)))
        for row, name in enumerate(leads):
            restriction[row, events_fit.params.index.get_loc(name)] = 1.0
        pre_trend = float(events_fit.f_test(restriction).pvalue)

    treated_count = int(data.loc[data["treated"], "school_id"].nunique())
    result = DidResult(
        effect=effect, event_study=points, start_year=start_year, treated_schools=treated_count,
        comparison_schools=int(data["school_id"].nunique()) - treated_count,
        school_years=sorted(int(year) for year in data["school_year"].unique()), weighted=weight is not None,
        pre_trend_p_value=pre_trend)
    result.caveats = _caveats(result)
    return result


def baseline_rate(frame: pd.DataFrame, start_year: int, *, rate: str = "rate", weight: str | None = None) -> float:
    """The rate of every school in `frame` together in the year before the start (weighted by `weight`)."""
    baseline = frame[pd.to_numeric(frame["school_year"]) == start_year + REFERENCE_OFFSET]
    if baseline.empty:
        raise DidInputError(f"No school has data for {start_year + REFERENCE_OFFSET}, the year before the start.")
    weights = baseline[weight].astype(float) if weight else pd.Series(1.0, index=baseline.index)
    return float((baseline[rate].astype(float) * weights).sum() / weights.sum())


def standardized(effect: Estimate, rate_at_baseline: float) -> tuple[float, float]:
    """(the effect in standard deviations of the outcome at baseline, its sampling variance).

    A yes/no outcome whose pooled rate is p has the standard deviation sqrt(p (1 - p)); dividing the effect and its
    standard error by it treats that standard deviation as known (it rests on every student at baseline).
    """
    if not 0 < rate_at_baseline < 1:
        raise DidInputError(f"The rate before the start is {rate_at_baseline:g}: with every student (or none) having "
                            "the outcome there is no spread to standardize by.")
    spread = float(np.sqrt(rate_at_baseline * (1 - rate_at_baseline)))
    return effect.coefficient / spread, (effect.std_error / spread) ** 2


def _checked(frame: pd.DataFrame, treated: set[str], start_year: int, rate: str, weight: str | None) -> pd.DataFrame:
    needed = ["school_id", "school_year", rate] + ([weight] if weight else [])
    missing = [column for column in needed if column not in frame.columns]
    if missing:
        raise DidInputError(f"The data lack the column(s) {', '.join(missing)}; it needs one row per school and "
                            f"school year with {', '.join(needed)}.")
    data = frame[needed].copy()
    data["school_id"] = data["school_id"].astype(str)
    data["school_year"] = pd.to_numeric(data["school_year"], errors="coerce")
    data[rate] = pd.to_numeric(data[rate], errors="coerce")
    if data.empty:
        raise DidInputError("The data have no rows.")
    unusable = data["school_year"].isna() | data[rate].isna()
    if unusable.any():
        raise DidInputError(f"{int(unusable.sum())} rows have no number for school_year or {rate}: remove them or "
                            "fill them in.")
    if weight:
        data[weight] = pd.to_numeric(data[weight], errors="coerce")
        if (data[weight].isna() | (data[weight] <= 0)).any():
            raise DidInputError(f"Every {weight} must be a positive number (e.g. the number of students).")
    data["school_year"] = data["school_year"].astype(int)
    repeated = data.duplicated(["school_id", "school_year"])
    if repeated.any():
        first = data.loc[repeated].iloc[0]
        raise DidInputError(f"School {first['school_id']} has more than one row for {first['school_year']}: give one "
                            "row per school and school year.")
    schools = set(data["school_id"])
    unknown = sorted(treated - schools)
    if unknown:
        raise DidInputError(f"The schools {', '.join(unknown[:5])} that started the change have no data.")
    if not treated:
        raise DidInputError("No school is marked as having started the change: there is nothing to compare.")
    if not schools - treated:
        raise DidInputError("Every school started the change: a comparison needs schools that did not.")
    years = sorted(set(data["school_year"]))
    if not years[0] < start_year <= years[-1]:
        raise DidInputError(f"The start year {start_year} is outside the data's years {years[0]} to {years[-1]}: "
                            "the comparison needs at least one year before the start and one from the start on.")
    data["treated"] = data["school_id"].isin(treated)
    treated_years = set(data.loc[data["treated"], "school_year"])
    if start_year + REFERENCE_OFFSET not in treated_years:
        raise DidInputError(f"The schools that started the change have no data for {start_year + REFERENCE_OFFSET}, "
                            "the year before the start, which the event study compares every year with.")
    if not any(year >= start_year for year in treated_years):
        raise DidInputError(f"The schools that started the change have no data from {start_year} on.")
    return data.reset_index(drop=True)


def _fixed_effects(data: pd.DataFrame) -> pd.DataFrame:
    """School and year indicators (the first of each left out) and the intercept."""
    schools = pd.get_dummies(data["school_id"], prefix="school", drop_first=True, dtype=float)
    years = pd.get_dummies(data["school_year"], prefix="year", drop_first=True, dtype=float)
    return pd.concat([pd.Series(1.0, index=data.index, name="const"), schools, years], axis=1)


def _fit(outcome: pd.Series, design: pd.DataFrame, weights: np.ndarray | None, groups: np.ndarray):
    if len(outcome) <= design.shape[1]:
        raise DidInputError(
            f"{len(outcome)} school-years cannot support {design.shape[1]} estimates (school and year effects and "
            "one per year of the event study): add schools or years.")
    model = sm.WLS(outcome.astype(float), design, weights=weights) if weights is not None \
        else sm.OLS(outcome.astype(float), design)
    # Student t with (schools - 1) degrees of freedom: less over-confident than the normal with few schools.
    return model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)


def _estimate(fit, name: str) -> Estimate:
    low, high = fit.conf_int(alpha=1 - CONFIDENCE).loc[name]
    return Estimate(float(fit.params[name]), float(fit.bse[name]), float(low), float(high), float(fit.pvalues[name]))


def _event_name(offset: int) -> str:
    return f"lead_{-offset}" if offset < 0 else f"lag_{offset}"


def _caveats(result: DidResult) -> list[str]:
    caveats = []
    fewest = min(result.treated_schools, result.comparison_schools)
    if fewest < FEW_CLUSTERS:
        side = "started the change" if result.treated_schools <= result.comparison_schools else "are in the comparison"
        caveats.append(
            f"Only {fewest} school{'s' if fewest != 1 else ''} {side}: the intervals are wide, and standard errors "
            f"clustered by school are unreliable with fewer than about {FEW_CLUSTERS} schools on each side, so read "
            "the interval as a rough guide.")
    leads = [point for point in result.event_study if point.relative_year < REFERENCE_OFFSET]
    off_zero = [point for point in leads if point.ci_low > 0 or point.ci_high < 0]
    if off_zero or (result.pre_trend_p_value is not None and result.pre_trend_p_value < 1 - CONFIDENCE):
        years = ", ".join(str(point.school_year) for point in off_zero) or "the years before the start together"
        caveats.append(
            f"Before the start the two groups of schools were already drifting apart ({years}): the comparison "
            "assumes they would have moved in parallel without the change, and that is in doubt, so the estimate "
            "may partly reflect differences that predate the change.")
    elif not leads:
        caveats.append("The data hold only one year before the start, so whether the two groups moved in parallel "
                       "before the change cannot be checked.")
    caveats.append("The schools that started the change were chosen, not assigned at random: they may differ from "
                   "the comparison schools in ways this comparison cannot remove.")
    return caveats


def event_study_spec(result: DidResult, metric_label: str = "rate", title: str | None = None) -> dict[str, Any]:
    """A Vega-Lite plot of the event study: each year's difference with its 95% interval, in percentage points
    (the rates are shares, 0 to 1; a difference of 0.01 is 1 percentage point), as the text beside it says."""
    values = [{
        "relative_year": point.relative_year, "school_year": point.school_year,
        "coefficient": point.coefficient * 100, "ci_low": point.ci_low * 100, "ci_high": point.ci_high * 100,
        "kind": "reference year (fixed at 0)" if point.reference else (
            "before the start" if point.relative_year < 0 else "from the start on"),
    } for point in result.event_study]
    x = {"field": "relative_year", "type": "quantitative", "title": f"Years since the start ({result.start_year} = 0)",
         "axis": {"tickMinStep": 1, "format": "d"}}
    # Short enough to fit along the plot's height; the title names the rate and the description the comparison.
    difference = f"Difference ({POINTS})"
    tooltip = [
        {"field": "school_year", "type": "quantitative", "title": "School year", "format": "d"},
        {"field": "coefficient", "type": "quantitative", "title": f"Difference ({POINTS})", "format": "+.1f"},
        {"field": "ci_low", "type": "quantitative", "title": f"95% interval from ({POINTS})", "format": "+.1f"},
        {"field": "ci_high", "type": "quantitative", "title": f"95% interval to ({POINTS})", "format": "+.1f"},
    ]
    return {
        "$schema": SCHEMA,
        "title": title or f"Change in {metric_label} after the start, year by year",
        "description": (f"Event study: for each year relative to the start in {result.start_year}, the difference "
                        f"in {metric_label} between the {result.treated_schools} schools that started the change and "
                        f"the {result.comparison_schools} comparison schools in percentage points, with 95% intervals. "
                        "The year before the start is the reference (0)."),
        "width": 640, "height": 320,
        "config": {"axis": {"labelFontSize": 11, "titleFontSize": 12}},
        "layer": [
            {"data": {"values": [{"y": 0}]}, "mark": {"type": "rule", "color": "#666", "strokeDash": [4, 4]},
             "encoding": {"y": {"field": "y", "type": "quantitative"}}},
            {"data": {"values": [{"x": 0, "label": "start"}]},
             "mark": {"type": "rule", "color": "#d95f02"},
             "encoding": {"x": {"field": "x", "type": "quantitative"}}},
            {"data": {"values": values}, "mark": {"type": "rule", "strokeWidth": 2},
             "encoding": {"x": x, "y": {"field": "ci_low", "type": "quantitative", "title": difference},
                          "y2": {"field": "ci_high"}, "tooltip": tooltip}},
            {"data": {"values": values}, "mark": {"type": "point", "filled": True, "size": 70},
             "encoding": {"x": x, "y": {"field": "coefficient", "type": "quantitative", "title": difference},
                          "shape": {"field": "kind", "type": "nominal", "title": "Year"},
                          "tooltip": tooltip}},
        ],
    }
