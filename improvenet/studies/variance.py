"""How an outcome's variance splits between students, schools and (optionally) the pyramids or other groups of
schools above them, and how much of each part a baseline covariate explains: the ρ and R² that power
calculations need (improvenet.studies.power). Pure: numpy and scipy.

The model is the nested random-intercept model, fitted by restricted maximum likelihood (REML) as lme4's
`lmer(y ~ x + (1 | higher) + (1 | higher:school))` fits it:

    y = Xb + u_higher + u_school + e,   u_higher ~ N(0, τ²₃), u_school ~ N(0, τ²₂), e ~ N(0, σ²).

ρ₃ = τ²₃ / (τ²₃ + τ²₂ + σ²) and ρ₂ = τ²₂ / (τ²₃ + τ²₂ + σ²) from the model without covariates; R²ₖ = 1 − (the
level's variance with the covariates) / (the level's variance without them), each at least 0 (Hedges & Hedberg
2007; Dong & Maynard 2013). The covariance matrix of a group of schools is block-structured, so each REML
evaluation needs only per-school sums: its cost grows with the number of schools, not of students.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


class VarianceError(ValueError):
    """Data that cannot split the variance (too few schools, no variation); the message says why."""


@dataclass(frozen=True)
class Fit:
    """A REML fit: the coefficients, their covariance, and the variance components."""

    coefficients: np.ndarray
    covariance: np.ndarray
    residual: float
    """σ², the variance between students within a school."""
    school: float
    """τ²₂, the variance between schools (within a higher group, when there is one)."""
    higher: float
    """τ²₃, the variance between the higher groups; 0 without them."""
    criterion: float
    """−2 × the maximized restricted log-likelihood (lme4's REMLcrit)."""


def reml_fit(y: np.ndarray, X: np.ndarray, schools: Sequence[np.ndarray],
             higher: Sequence[int] | None = None) -> Fit:
    """Fit the nested random-intercept model. `schools` holds each school's row indices; `higher` the index of
    each school's higher group (None: two levels)."""
    from scipy import optimize  # a second to load: a study's pages and the quick commands start without it

    n, p = X.shape
    sums = [(X[r].T @ X[r], X[r].sum(axis=0), X[r].T @ y[r], float(y[r].sum()), float(y[r] @ y[r]), len(r))
            for r in schools]
    parents = np.zeros(len(schools), dtype=int) if higher is None else np.asarray(higher, dtype=int)
    members = [np.flatnonzero(parents == g) for g in np.unique(parents)]

    def solve(theta_school: float, theta_higher: float):
        # V / σ² = blockdiag(I + θ₂ 11ᵀ per school) + θ₃ 11ᵀ per higher group; its inverse and determinant by
        # Sherman–Morrison, school by school, then once per higher group.
        xtx, xty, yty, log_det = np.zeros((p, p)), np.zeros(p), 0.0, 0.0
        for group in members:
            wx, wy, weight = np.zeros(p), 0.0, 0.0
            for s in group:
                gram, xsum, cross, ysum, square, size = sums[s]
                shrink = theta_school / (1 + size * theta_school)
                xtx += gram - shrink * np.outer(xsum, xsum)
                xty += cross - shrink * xsum * ysum
                yty += square - shrink * ysum**2
                log_det += math.log1p(size * theta_school)
                scale = 1 / (1 + size * theta_school)
                wx += scale * xsum
                wy += scale * ysum
                weight += scale * size
            if theta_higher > 0:
                shrink = theta_higher / (1 + theta_higher * weight)
                xtx -= shrink * np.outer(wx, wx)
                xty -= shrink * wx * wy
                yty -= shrink * wy**2
                log_det += math.log1p(theta_higher * weight)
        b = np.linalg.solve(xtx, xty)
        sigma2 = (yty - xty @ b) / (n - p)
        criterion = (n - p) * (math.log(2 * math.pi * sigma2) + 1) + log_det + np.linalg.slogdet(xtx)[1]
        return b, xtx, sigma2, criterion

    if higher is None:
        best = optimize.minimize_scalar(lambda t: solve(math.exp(t), 0.0)[3], bounds=(-20, 8), method="bounded",
                                        options={"xatol": 1e-10, "maxiter": 500})
        # The variance between schools may be estimated as 0 (the boundary), as lme4 allows.
        thetas = (0.0, 0.0) if solve(0.0, 0.0)[3] <= best.fun else (math.exp(best.x), 0.0)
    else:
        thetas = _two_components(lambda a, b: solve(a, b)[3])
    b, xtx, sigma2, criterion = solve(*thetas)
    return Fit(coefficients=b, covariance=sigma2 * np.linalg.inv(xtx), residual=float(sigma2),
               school=thetas[0] * sigma2, higher=thetas[1] * sigma2, criterion=float(criterion))


def _two_components(criterion) -> tuple[float, float]:
    """The (θ₂, θ₃) ≥ 0 minimizing the criterion. Searched over the relative standard deviations √θ, bounded
    below by 0 as lme4 bounds them, from two starts; each edge (one component 0) is searched on its own too."""
    from scipy import optimize

    candidates = []
    for start in ((0.3, 0.3), (1.0, 0.1)):
        found = optimize.minimize(lambda s: criterion(s[0] ** 2, s[1] ** 2), x0=np.array(start), method="L-BFGS-B",
                                  bounds=[(0, 1e3), (0, 1e3)], options={"ftol": 1e-15, "gtol": 1e-10})
        candidates.append((found.fun, (found.x[0] ** 2, found.x[1] ** 2)))
    # On an edge one component is 0: (θ₂, 0) without variance between the higher groups, (0, θ₃) without any
    # between schools within them.
    for place in (lambda t: (t, 0.0), lambda t: (0.0, t)):
        one = optimize.minimize_scalar(lambda t, place=place: criterion(*place(math.exp(t))), bounds=(-20, 8),
                                       method="bounded", options={"xatol": 1e-10, "maxiter": 500})
        candidates.append((one.fun, place(math.exp(one.x))))
    candidates.append((criterion(0.0, 0.0), (0.0, 0.0)))
    return min(candidates, key=lambda c: c[0])[1]


@dataclass(frozen=True)
class VarianceParts:
    """The shares of the outcome's variance and what the covariate explains, in PowerUp!'s terms."""

    rho2: float
    """Share between schools (within the higher groups when there are any)."""
    rho3: float | None
    """Share between the higher groups; None without them."""
    R1: float | None
    """Share of the variance within schools that the covariates explain; None without covariates."""
    R2: float | None
    """Share of the variance between schools that the covariates explain."""
    R3: float | None
    """Share of the variance between the higher groups that the covariates explain."""
    students: int
    schools: int
    higher_groups: int | None
    students_per_school: float
    """The harmonic mean of the schools' sizes: the `n` a power calculation takes for schools of unequal size."""
    total_variance: float


def variance_parts(outcome: Sequence[float], school: Sequence[str], higher: Sequence[str] | None = None,
                   covariates: dict[str, Sequence[float]] | None = None) -> VarianceParts:
    """ρ (and R², when covariates are given) of an outcome, one entry per student. `higher` names each
    student's higher group (a school belongs to one)."""
    y = np.asarray(outcome, dtype=float)
    labels = np.asarray(school)
    if len(labels) != len(y) or (higher is not None and len(higher) != len(y)):
        raise VarianceError("Give one school (and one higher group) per student.")
    if not np.all(np.isfinite(y)):
        raise VarianceError("Every outcome must be a number.")
    names = list(dict.fromkeys(labels.tolist()))
    rows = [np.flatnonzero(labels == name) for name in names]
    if len(rows) < 3:
        raise VarianceError(f"{len(rows)} schools cannot split the variance: at least 3 are needed.")
    if np.var(y) == 0:
        raise VarianceError("The outcome does not vary: there is no variance to split.")
    parents, groups = None, None
    if higher is not None:
        of_school = {}
        for name, r in zip(names, rows, strict=True):
            found = set(np.asarray(higher)[r].tolist())
            if len(found) > 1:
                raise VarianceError(f"The school {name} lies in more than one higher group.")
            of_school[name] = found.pop()
        groups = list(dict.fromkeys(of_school.values()))
        if len(groups) < 2:
            raise VarianceError("A higher level needs at least 2 groups of schools.")
        parents = [groups.index(of_school[name]) for name in names]
    empty = reml_fit(y, np.ones((len(y), 1)), rows, parents)
    total = empty.residual + empty.school + empty.higher
    explained = {"R1": None, "R2": None, "R3": None}
    if covariates:
        columns = [np.asarray(values, dtype=float) for values in covariates.values()]
        X = np.column_stack([np.ones(len(y)), *columns])
        if np.linalg.matrix_rank(X) < X.shape[1]:
            raise VarianceError("A covariate is constant or repeats another: it cannot explain any variance.")
        full = reml_fit(y, X, rows, parents)
        explained["R1"] = _explained(empty.residual, full.residual)
        explained["R2"] = _explained(empty.school, full.school)
        if higher is not None:
            explained["R3"] = _explained(empty.higher, full.higher)
    sizes = np.array([len(r) for r in rows], dtype=float)
    return VarianceParts(
        rho2=empty.school / total, rho3=empty.higher / total if higher is not None else None, **explained,
        students=len(y), schools=len(rows), higher_groups=len(groups) if groups else None,
        students_per_school=float(len(sizes) / np.sum(1 / sizes)), total_variance=total,
    )


def _explained(without: float, with_covariates: float) -> float:
    """1 − with/without, at least 0; 0 when the level has no variance to explain."""
    return 0.0 if without <= 0 else max(0.0, 1 - with_covariates / without)
