"""The evidence rules for a change idea: from plain facts about its PDSA cycles to a level and the reasons.

This module is the one place the rules live (docs/learning.md states them in words). It imports no
framework: the learning app gathers the facts from the database and the SPC engine, and passes them
here with the network's thresholds.

The levels, checked in this order (the first that applies is the idea's level):

1. untested: no PDSA cycle has tested the idea.
2. supported: a sustained signal in the direction of improvement, in a linked outcome or driver
   measure, after the idea was adopted, in at least `supported_min_schools` schools; and, when the
   network asks for it (`supported_needs_pooled_effect`), a pooled effect from the evidence ledger
   whose Hartung–Knapp 95% interval lies above zero, from at least `supported_min_effect_sites` sites
   (effects are entered so that positive is better).
3. not supported: either abandoned in at least `not_supported_min_abandoned` schools and adopted in
   none; or adopted and then watched (at least `MIN_POINTS_WATCHED` points of a linked outcome or
   driver measure after adoption) in at least `supported_min_schools` schools with a sustained signal
   in none of them.
4. promising: adopted in at least `promising_min_schools` schools, and at least `promising_min_cycles`
   cycles had a confirmed prediction.
5. being tested: anything else with at least one cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

# A school's adoption counts as watched once a linked outcome or driver measure has this many
# points after the adoption day: fewer points cannot show a run long enough to be a signal.
MIN_POINTS_WATCHED = 8


class Level(StrEnum):
    UNTESTED = "untested"
    BEING_TESTED = "being_tested"
    PROMISING = "promising"
    SUPPORTED = "supported"
    NOT_SUPPORTED = "not_supported"

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]

    @property
    def rank(self) -> int:
        """How strong a claim the level makes for the idea: higher is stronger."""
        return LEVEL_RANKS[self]


LEVEL_LABELS = {
    Level.UNTESTED: "Untested",
    Level.BEING_TESTED: "Being tested",
    Level.PROMISING: "Promising",
    Level.SUPPORTED: "Supported",
    Level.NOT_SUPPORTED: "Not supported",
}
LEVEL_RANKS = {
    Level.UNTESTED: 0, Level.NOT_SUPPORTED: 1, Level.BEING_TESTED: 1, Level.PROMISING: 2, Level.SUPPORTED: 3,
}


@dataclass(frozen=True)
class Thresholds:
    promising_min_schools: int = 2
    promising_min_cycles: int = 3
    supported_min_schools: int = 3
    not_supported_min_abandoned: int = 2
    supported_needs_pooled_effect: bool = False
    supported_min_effect_sites: int = 3

    def problems(self) -> dict[str, str]:
        """Each threshold must be a whole number of at least 1; a rule with 0 would hold for every idea. A pooled
        effect needs at least 2 sites."""
        problems = {
            name: "Use a whole number of at least 1."
            for name in ("promising_min_schools", "promising_min_cycles", "supported_min_schools",
                         "not_supported_min_abandoned")
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1
        }
        sites = self.supported_min_effect_sites
        if not isinstance(sites, int) or sites < 2:
            problems["supported_min_effect_sites"] = "Use a whole number of at least 2: pooling needs 2 sites."
        return problems


@dataclass(frozen=True)
class PooledFacts:
    """The idea's pooled effect from the evidence ledger (random effects, REML, Hartung–Knapp 95% interval), in
    standard deviations; only `sites` when fewer than 2 estimates could be pooled."""

    sites: int
    estimate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None

    @property
    def above_zero(self) -> bool:
        return self.ci_low is not None and self.ci_low > 0


@dataclass(frozen=True)
class SchoolFacts:
    """What one school's cycles of the idea showed."""

    school: str
    cycles: int
    cycles_with_confirmed_prediction: int = 0
    adopted: bool = False
    abandoned: bool = False
    # The most points any linked outcome or driver measure has after the school's first adoption.
    points_after_adoption: int = 0
    sustained_signal: bool = False


@dataclass(frozen=True)
class IdeaFacts:
    schools: tuple[SchoolFacts, ...] = ()
    pooled: PooledFacts | None = None

    @property
    def cycles(self) -> int:
        return sum(s.cycles for s in self.schools)

    @property
    def confirmed_cycles(self) -> int:
        return sum(s.cycles_with_confirmed_prediction for s in self.schools)

    def where(self, test) -> list[str]:
        return sorted(s.school for s in self.schools if test(s))


@dataclass(frozen=True)
class Evidence:
    level: Level
    reasons: list[str] = field(default_factory=list)


def _schools(count: int) -> str:
    return f"{count} school{'s' if count != 1 else ''}"


def _cycles(count: int) -> str:
    return f"{count} cycle{'s' if count != 1 else ''}"


def _named(names: list[str]) -> str:
    return f" ({', '.join(names)})" if names else ""


def _pooled_effect(pooled: PooledFacts | None, t: Thresholds) -> tuple[bool, list[str]]:
    """Whether the pooled-effect criterion of supported holds (always, when the network does not ask for it),
    and the reason naming its numbers."""
    if not t.supported_needs_pooled_effect:
        return True, []
    needs = (f"supported also needs a pooled effect whose Hartung–Knapp 95% interval lies above zero, from at "
             f"least {t.supported_min_effect_sites} sites")
    if pooled is None or pooled.estimate is None:
        sites = pooled.sites if pooled else 0
        return False, [f"The evidence ledger has {sites} effect estimate{'s' if sites != 1 else ''} in standard "
                       f"deviations, too few to pool; {needs}."]
    met = pooled.above_zero and pooled.sites >= t.supported_min_effect_sites
    return met, [f"Pooled effect {pooled.estimate:.2f} standard deviations from {pooled.sites} sites (95% "
                 f"interval {pooled.ci_low:.2f} to {pooled.ci_high:.2f}); {needs}."]


def evaluate(facts: IdeaFacts, thresholds: Thresholds) -> Evidence:
    """The idea's level and the reasons that put it there, each naming its numbers."""
    if facts.cycles == 0:
        return Evidence(Level.UNTESTED, ["No PDSA cycle has tested this change idea yet."])
    tested = [s for s in facts.schools if s.cycles]
    reasons = [f"Tested in {_cycles(facts.cycles)} in {_schools(len(tested))}."]
    adopted = facts.where(lambda s: s.adopted)
    with_signal = facts.where(lambda s: s.adopted and s.sustained_signal)
    watched = facts.where(lambda s: s.adopted and s.points_after_adoption >= MIN_POINTS_WATCHED)
    abandoned = facts.where(lambda s: s.abandoned)
    t = thresholds

    signal_reason = (
        f"A sustained signal in the direction of improvement after adoption in {_schools(len(with_signal))}"
        f"{_named(with_signal)}; supported needs {t.supported_min_schools}."
    )
    effect_met, effect_reason = _pooled_effect(facts.pooled, t)
    if len(with_signal) >= t.supported_min_schools and effect_met:
        return Evidence(Level.SUPPORTED, [*reasons, signal_reason, *effect_reason])

    if abandoned and not adopted and len(abandoned) >= t.not_supported_min_abandoned:
        return Evidence(Level.NOT_SUPPORTED, [
            *reasons,
            f"Abandoned in {_schools(len(abandoned))}{_named(abandoned)} and adopted in none; "
            f"not supported needs {t.not_supported_min_abandoned} schools that abandoned it.",
        ])
    if not with_signal and len(watched) >= t.supported_min_schools:
        return Evidence(Level.NOT_SUPPORTED, [
            *reasons,
            f"Adopted and watched for at least {MIN_POINTS_WATCHED} points of a linked outcome or driver measure "
            f"in {_schools(len(watched))}{_named(watched)}, with no sustained signal in the direction of "
            f"improvement in any of them; not supported needs {t.supported_min_schools} such schools.",
        ])

    adopted_reason = f"Adopted in {_schools(len(adopted))}{_named(adopted)}; promising needs {t.promising_min_schools}."
    confirmed_reason = (
        f"{_cycles(facts.confirmed_cycles).capitalize()} had at least one confirmed prediction; "
        f"promising needs {t.promising_min_cycles}."
    )
    if len(adopted) >= t.promising_min_schools and facts.confirmed_cycles >= t.promising_min_cycles:
        return Evidence(Level.PROMISING, [*reasons, adopted_reason, confirmed_reason, signal_reason, *effect_reason])

    notes = [adopted_reason, confirmed_reason]
    if abandoned:
        notes.append(
            f"Abandoned in {_schools(len(abandoned))}{_named(abandoned)}; not supported needs "
            f"{t.not_supported_min_abandoned} and no adoption."
        )
    return Evidence(Level.BEING_TESTED, [*reasons, *notes])
