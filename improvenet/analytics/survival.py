"""Kaplan–Meier retention at whole years, with small cells hidden (lifelines; no Django import).

Used by the store's teacher-retention metric (entry cohorts) and by teacher induction (induction
cohorts, inducted against other new teachers): both publish the same columns with the same rule.
"""

from collections.abc import Sequence


def yearly_retention(durations: Sequence[float], events: Sequence[int], min_n: int, digits: int) -> list[dict]:
    """Rows `years, survival, ci_lower, ci_upper, at_risk, suppressed` for 0, 1, 2... whole years up to the
    longest duration. `events[i]` is 1 when subject i left after `durations[i]` years, 0 when still there
    (censored). A point is hidden (numbers None, `suppressed` 1) when the group or those at risk number
    fewer than `min_n`. Shares are rounded to `digits` decimals.
    """
    from lifelines import KaplanMeierFitter

    fitter = KaplanMeierFitter().fit(list(durations), list(events))
    times = list(range(int(max(durations)) + 1))
    survival = fitter.survival_function_at_times(times).to_numpy()
    # The interval steps like the curve: its value at t is the one at the last event time up to t.
    bounds = fitter.confidence_interval_survival_function_.reindex(times, method="ffill")
    rows = []
    for years in times:
        at_risk = sum(1 for duration in durations if duration >= years)
        hidden = len(durations) < min_n or at_risk < min_n
        rows.append({
            "years": years,
            "survival": None if hidden else round(float(survival[years]), digits),
            "ci_lower": None if hidden else round(float(bounds.iloc[years, 0]), digits),
            "ci_upper": None if hidden else round(float(bounds.iloc[years, 1]), digits),
            "at_risk": None if hidden else at_risk,
            "suppressed": int(hidden),
        })
    return rows
