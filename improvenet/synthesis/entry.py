"""An external study's effect estimate from what the study reports: the effect and its standard error, or the
groups' means, standard deviations and sizes (Hedges' g), or their events and sizes (log risk ratio or Cox
logit). Pure: the form, the API and the CSV upload all read a study through `effect_from`, so they accept
and refuse the same things with the same words.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from improvenet.synthesis.meta import MetaAnalysisError, cox_logit, hedges_g, log_risk_ratio

SCALES = {"smd": "standardized mean difference (Hedges' g, in standard deviations)",
          "log_rr": "log risk ratio"}
MEANS = ("mean_treatment", "sd_treatment", "n_treatment", "mean_comparison", "sd_comparison", "n_comparison")
EVENTS = ("events_treatment", "n_treatment", "events_comparison", "n_comparison")
GROUP_SIZES = ("n_treatment", "n_comparison", "events_treatment", "events_comparison")
# The ways a study's effect can be given, in the order they are tried.
EFFECT_TYPES = {
    "": "the effect and its standard error",
    "smd": "Hedges' g from means, standard deviations and group sizes",
    "log_rr": "log risk ratio from events and group sizes",
    "cox": "Cox logit (the WWC's effect size for yes/no outcomes) from events and group sizes",
}


class EntryError(ValueError):
    """What is missing or wrong in a study's figures, by field name."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(f"{name}: {message}" for name, message in problems.items()))
        self.problems = problems


@dataclass(frozen=True)
class Effect:
    effect: float
    standard_error: float
    scale: str
    computed_from: str


def _number(values: Mapping[str, object], name: str, problems: dict[str, str], whole: bool = False) -> float | None:
    raw = values.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        problems[name] = "Give a number here."
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        problems[name] = f"“{raw}” is not a number."
        return None
    if not math.isfinite(value):
        problems[name] = f"“{raw}” is not a finite number."
    elif whole and (value != int(value) or value < 0):
        problems[name] = f"“{raw}” is not a whole number of students."
    return value


def _given(values: Mapping[str, object], name: str) -> bool:
    raw = values.get(name)
    return raw is not None and not (isinstance(raw, str) and not raw.strip())


def effect_from(values: Mapping[str, object]) -> Effect:
    """The effect on its scale and its standard error, from `effect` and `standard_error` (with `scale`), or
    from the groups' data named by `effect_type` ("smd", "log_rr" or "cox"); EntryError names each problem."""
    problems: dict[str, str] = {}
    kind = str(values.get("effect_type") or "").strip()
    if kind not in EFFECT_TYPES:
        raise EntryError({"effect_type": f"“{kind}” is not a way to give the effect: use smd, log_rr or cox, "
                                         "or leave it empty and give effect and standard_error."})
    if not kind:
        scale = str(values.get("scale") or "smd").strip()
        effect = _number(values, "effect", problems)
        se = _number(values, "standard_error", problems)
        if scale not in SCALES:
            problems["scale"] = f"“{scale}” is not a scale: use smd or log_rr."
        if se is not None and "standard_error" not in problems and se <= 0:
            problems["standard_error"] = f"The standard error is {se:g}; it must be greater than 0."
        if problems:
            raise EntryError(problems)
        return Effect(effect, se, scale, EFFECT_TYPES[""])
    names = MEANS if kind == "smd" else EVENTS
    figures = {name: _number(values, name, problems, whole=name in GROUP_SIZES) for name in names}
    if problems:
        raise EntryError(problems)
    try:
        if kind == "smd":
            yi, vi = hedges_g(figures["mean_treatment"], figures["sd_treatment"], int(figures["n_treatment"]),
                              figures["mean_comparison"], figures["sd_comparison"], int(figures["n_comparison"]))
        else:
            convert = log_risk_ratio if kind == "log_rr" else cox_logit
            yi, vi = convert(int(figures["events_treatment"]), int(figures["n_treatment"]),
                             int(figures["events_comparison"]), int(figures["n_comparison"]))
    except MetaAnalysisError as error:
        raise EntryError({"effect_type": str(error)}) from None
    sizes = f"n = {int(figures['n_treatment'])} and {int(figures['n_comparison'])}"
    return Effect(yi, math.sqrt(vi), "log_rr" if kind == "log_rr" else "smd", f"{EFFECT_TYPES[kind]} ({sizes})")
