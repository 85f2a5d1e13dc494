"""Kaplan–Meier retention at whole years, with small cells hidden (no Django import).

Used by the store's teacher-retention metric (entry cohorts) and by teacher induction (induction
cohorts, inducted against other new teachers): both publish the same columns with the same rule.
The estimate and its interval are computed here directly, as lifelines' KaplanMeierFitter computes
them (tested against it): loading and fitting lifelines took most of the induction page's time.
"""

from collections.abc import Sequence

import numpy as np

# The 97.5% quantile of the normal distribution (95% two-sided), to the last digit as lifelines takes it
# from scipy.stats.norm.ppf (statistics.NormalDist differs in the last bit; SciPy's statistics load slowly).
Z_95 = 1.959963984540054


def kaplan_meier(durations: Sequence[float], events: Sequence[int], times: Sequence[float]) -> dict[str, np.ndarray]:
    """Arrays `survival, ci_lower, ci_upper` at each of `times` (none before 0): the Kaplan–Meier
    estimate and its 95% interval by the exponential Greenwood formula (the log(-log) transform),
    each the value at the last event time up to that time, like lifelines' step functions.
    """
    durations = np.asarray(durations, dtype=float)
    left = np.asarray(events).astype(bool)
    # Everyone enters at time 0 (or at the earliest duration, were one negative), as in lifelines.
    event_times = np.unique(np.concatenate(([min(0.0, durations.min())], durations)))
    at_risk = len(durations) - np.searchsorted(np.sort(durations), event_times, side="left")
    deaths = np.bincount(np.searchsorted(event_times, durations[left]), minlength=len(event_times))
    with np.errstate(divide="ignore", invalid="ignore"):
        survival = np.exp(np.cumsum(np.log(at_risk - deaths) - np.log(at_risk)))
        # Greenwood's sum; a time where everyone at risk leaves adds nothing (lifelines' inf → 0).
        greenwood = np.cumsum(np.where(at_risk > deaths, deaths / (at_risk * (at_risk - deaths)), 0.0))
        # The log of the estimate itself, not the sum it came from: lifelines' rounding, to the last bit.
        log_survival = np.log(survival)
        spread = Z_95 * np.sqrt(greenwood) / log_survival
        lower = np.exp(-np.exp(np.log(-log_survival) - spread))
        upper = np.exp(-np.exp(np.log(-log_survival) + spread))
    # Where the estimate is 1 the interval is undefined (0 / 0): lifelines reports it as 1.
    lower, upper = np.nan_to_num(lower, nan=1.0), np.nan_to_num(upper, nan=1.0)
    last_event = np.searchsorted(event_times, np.asarray(times, dtype=float), side="right") - 1
    return {"survival": survival[last_event], "ci_lower": lower[last_event],
            "ci_upper": upper[last_event]}


def yearly_retention(durations: Sequence[float], events: Sequence[int], min_n: int, digits: int) -> list[dict]:
    """Rows `years, survival, ci_lower, ci_upper, at_risk, suppressed` for 0, 1, 2... whole years up to the
    longest duration. `events[i]` is 1 when subject i left after `durations[i]` years, 0 when still there
    (censored). A point is hidden (numbers None, `suppressed` 1) when the group or those at risk number
    fewer than `min_n`. Shares are rounded to `digits` decimals.
    """
    times = list(range(int(max(durations)) + 1))
    estimate = kaplan_meier(durations, events, times)
    rows = []
    for years in times:
        at_risk = sum(1 for duration in durations if duration >= years)
        hidden = len(durations) < min_n or at_risk < min_n
        rows.append({
            "years": years,
            "survival": None if hidden else round(float(estimate["survival"][years]), digits),
            "ci_lower": None if hidden else round(float(estimate["ci_lower"][years]), digits),
            "ci_upper": None if hidden else round(float(estimate["ci_upper"][years]), digits),
            "at_risk": None if hidden else at_risk,
            "suppressed": int(hidden),
        })
    return rows
