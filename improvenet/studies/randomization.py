"""Random assignment a study can defend: seeded, blocked, in chosen proportions, optionally pair-matched on
a baseline measure, optionally re-randomized under a balance rule declared beforehand (Morgan & Rubin 2012);
the What Works Clearinghouse baseline-equivalence check; and randomization inference that re-draws the
study's own procedure. Pure: numpy and scipy.

The same units, blocks, seed and rule always give the same allocation: a saved allocation can be checked by
anyone who re-runs it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

MAX_DRAWS = 100_000
# WWC baseline equivalence, in |Hedges' g| (Procedures and Standards Handbook, version 5.0).
EQUIVALENT_UP_TO = 0.05
ADJUSTABLE_UP_TO = 0.25


class RandomizationError(ValueError):
    """An assignment that cannot be drawn as asked; the message says why."""


@dataclass(frozen=True)
class BalanceRule:
    """Accept a draw only when the Mahalanobis distance between the groups' covariate means is at most
    `threshold`; `acceptance` (a probability) sets it to that quantile of χ² with as many degrees of freedom
    as covariates."""

    covariates: dict[str, Sequence[float]]
    acceptance: float | None = None
    threshold: float | None = None

    def limit(self) -> float:
        if self.threshold is not None:
            return self.threshold
        if self.acceptance is None or not 0 < self.acceptance <= 1:
            raise RandomizationError("A balance rule needs a threshold, or an acceptance probability in (0, 1].")
        # Imported here: the study pages import this module, and starting the site must not load scipy.stats.
        from scipy import stats

        return float(stats.chi2.ppf(self.acceptance, len(self.covariates)))


@dataclass(frozen=True)
class Allocation:
    units: tuple[str, ...]
    treated: tuple[bool, ...]
    seed: int
    draws: int
    distance: float | None

    def as_dict(self) -> dict[str, bool]:
        return dict(zip(self.units, self.treated, strict=True))


@dataclass(frozen=True)
class Procedure:
    """How units are assigned: everything but the seed, so that it can be re-run for inference."""

    units: Sequence[str]
    blocks: Sequence[str] | None = None
    proportion: float = 0.5
    match_on: Sequence[float] | None = None
    balance: BalanceRule | None = None

    def draw(self, seed: int) -> Allocation:
        """The allocation of this seed: the first draw that meets the balance rule, if there is one."""
        return self.drawer()(seed)

    def drawer(self) -> Callable[[int], Allocation]:
        """`draw`, with the procedure checked and the balance rule prepared once for many seeds."""
        _check(self)
        limit = self.balance.limit() if self.balance else None
        measure = distance_measure(self.balance.covariates) if self.balance else None

        def draw(seed: int) -> Allocation:
            rng = np.random.default_rng(seed)
            for attempt in range(1, MAX_DRAWS + 1):
                treated = self._one_draw(rng)
                distance = measure(treated) if measure else None
                if limit is None or distance <= limit:
                    return Allocation(tuple(self.units), tuple(bool(t) for t in treated), seed, attempt, distance)
            raise RandomizationError(f"No draw in {MAX_DRAWS:,} met the balance rule: loosen it.")

        return draw

    def _one_draw(self, rng: np.random.Generator) -> np.ndarray:
        treated = np.zeros(len(self.units), dtype=bool)
        for rows in _blocks(self):
            if self.match_on is not None:
                treated[rows] = _pairs(rng, np.asarray(self.match_on, dtype=float)[rows])
            else:
                exact = self.proportion * len(rows)
                # Whole counts per block: the fraction left over becomes one more treated unit by chance.
                count = math.floor(exact) + (rng.random() < exact - math.floor(exact))
                chosen = rng.permutation(len(rows))[:count]
                treated[rows[chosen]] = True
        return treated


def _blocks(procedure: Procedure) -> list[np.ndarray]:
    if procedure.blocks is None:
        return [np.arange(len(procedure.units))]
    labels = np.asarray(procedure.blocks)
    return [np.flatnonzero(labels == label) for label in sorted(set(procedure.blocks))]


def _pairs(rng: np.random.Generator, baseline: np.ndarray) -> np.ndarray:
    """Units sorted by the baseline measure, paired in order, one of each pair treated; an odd one out by chance."""
    order = np.argsort(baseline, kind="stable")
    treated = np.zeros(len(order), dtype=bool)
    for start in range(0, len(order) - 1, 2):
        treated[order[start + rng.integers(2)]] = True
    if len(order) % 2:
        treated[order[-1]] = bool(rng.integers(2))
    return treated


def _check(procedure: Procedure) -> None:
    if len(set(procedure.units)) != len(procedure.units):
        raise RandomizationError("Every unit must appear once: a unit is listed twice.")
    if len(procedure.units) < 2:
        raise RandomizationError("Random assignment needs at least 2 units.")
    if procedure.blocks is not None and len(procedure.blocks) != len(procedure.units):
        raise RandomizationError("Give one block per unit.")
    if not 0 < procedure.proportion < 1:
        raise RandomizationError("The share treated must lie between 0 and 1.")
    if procedure.match_on is not None:
        if procedure.proportion != 0.5:
            raise RandomizationError("Pair-matching assigns one unit of each pair: the share treated is 1/2.")
        if len(procedure.match_on) != len(procedure.units):
            raise RandomizationError("Give one baseline value per unit to match on.")


def mahalanobis(covariates: dict[str, Sequence[float]], treated: np.ndarray) -> float:
    """Morgan & Rubin's M = (n_t n_c / n) (x̄_t − x̄_c)ᵀ S⁻¹ (x̄_t − x̄_c), S the covariates' covariance."""
    return distance_measure(covariates)(treated)


def distance_measure(covariates: dict[str, Sequence[float]]) -> Callable[[np.ndarray], float]:
    """`mahalanobis` for these covariates as a function of the assignment, S⁻¹ computed once: re-randomization
    and randomization inference measure thousands of draws."""
    X = np.column_stack([np.asarray(values, dtype=float) for values in covariates.values()])
    inverse = np.linalg.inv(np.atleast_2d(np.cov(X, rowvar=False)))
    total = X.sum(axis=0)

    def measure(treated: np.ndarray) -> float:
        n_t, n = int(treated.sum()), len(treated)
        if n_t in (0, n):
            return math.inf
        treated_sum = X[treated].sum(axis=0)
        difference = treated_sum / n_t - (total - treated_sum) / (n - n_t)
        return float(n_t * (n - n_t) / n * difference @ inverse @ difference)

    return measure


@dataclass(frozen=True)
class Equivalence:
    covariate: str
    g: float
    verdict: str


def baseline_equivalence(covariates: dict[str, Sequence[float]], treated: Sequence[bool]) -> list[Equivalence]:
    """The WWC rule per covariate: |g| ≤ 0.05 satisfies; up to 0.25 needs the covariate in the impact model;
    above 0.25 fails."""
    flags = np.asarray(treated, dtype=bool)
    results = []
    for name, values in covariates.items():
        x = np.asarray(values, dtype=float)
        t, c = x[flags], x[~flags]
        pooled = math.sqrt(((len(t) - 1) * t.var(ddof=1) + (len(c) - 1) * c.var(ddof=1)) / (len(x) - 2))
        g = (1 - 3 / (4 * len(x) - 9)) * (t.mean() - c.mean()) / pooled
        if abs(g) <= EQUIVALENT_UP_TO:
            verdict = "satisfies"
        elif abs(g) <= ADJUSTABLE_UP_TO:
            verdict = "needs adjustment"
        else:
            verdict = "fails"
        results.append(Equivalence(name, g, verdict))
    return results


def randomization_p_value(procedure: Procedure, observed: Allocation, statistic: Callable[[np.ndarray], float],
                          draws: int = 999, seed: int = 0) -> float:
    """The share of re-drawn allocations (by the study's own procedure, seeds from `seed`) whose statistic is
    at least as far from zero as the observed one, counting the observed: (1 + #extreme) / (1 + draws)."""
    observed_value = abs(statistic(np.asarray(observed.treated)))
    seeds = np.random.default_rng(seed).integers(0, 2**63 - 1, size=draws)
    draw = procedure.drawer()
    extreme = sum(abs(statistic(np.asarray(draw(int(s)).treated))) >= observed_value - 1e-12 for s in seeds)
    return (1 + extreme) / (1 + draws)
