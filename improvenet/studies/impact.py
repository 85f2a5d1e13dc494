"""Impact estimates of a study with assignment by cluster (school, classroom): ordinary least squares with
cluster-robust CR2 standard errors and Bell–McCaffrey degrees of freedom (as R's estimatr `lm_robust(se_type =
"CR2")` and clubSandwich compute them), or a random-intercept model fitted by REML (as lme4's `lmer`), then
Hedges' g and the What Works Clearinghouse improvement index. Pure: numpy and scipy.

The model: outcome ~ intercept + treatment + covariates + one indicator per block but the first. The tests
compare both estimators with estimatr 1.0.0 and lme4 1.1-31 (tests/fixtures/studies/).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from improvenet.studies.variance import reml_fit

METHODS = ("cr2", "mixed")


class ImpactError(ValueError):
    """Data that cannot give an impact estimate; the message names the reason."""


@dataclass(frozen=True)
class Sample:
    """The analytic sample: one entry per student with an outcome."""

    outcome: Sequence[float]
    treatment: Sequence[int]
    cluster: Sequence[str]
    block: Sequence[str] | None = None
    covariates: dict[str, Sequence[float]] | None = None


@dataclass(frozen=True)
class Impact:
    method: str
    estimate: float
    se: float
    df: float | None
    ci_low: float
    ci_high: float
    p_value: float
    hedges_g: float
    improvement_index: float
    n_analyzed: int
    clusters: int
    cluster_variance: float | None = None
    residual_variance: float | None = None

    def summary(self) -> dict:
        """The figures `improvenet study analyze --json` prints."""
        return {"estimate": self.estimate, "se": self.se, "df": self.df, "ci_low": self.ci_low,
                "ci_high": self.ci_high, "p_value": self.p_value, "hedges_g": self.hedges_g,
                "n_analyzed": self.n_analyzed, "clusters": self.clusters}


def estimate(sample: Sample, method: str = "cr2", level: float = 0.95) -> Impact:
    """The treatment's impact on the outcome, by `method` ("cr2" or "mixed")."""
    # Imported here, as in improvement_index: the study pages import this module, and starting the site must not
    # load scipy.stats.
    from scipy import stats

    if method not in METHODS:
        raise ImpactError(f"Unknown method “{method}”: choose cr2 or mixed.")
    y, X, groups = _design(sample)
    if method == "cr2":
        b, se, df = _cr2(y, X, groups)
        crit = stats.t.ppf(1 - (1 - level) / 2, df)
        p_value = 2 * stats.t.sf(abs(b / se), df)
        extra = {}
    else:
        fit = _random_intercept(y, X, groups)
        b, se = fit.coefficient, fit.se
        # lme4 gives no degrees of freedom; the interval and p-value use the normal distribution.
        df, crit = None, stats.norm.ppf(1 - (1 - level) / 2)
        p_value = 2 * stats.norm.sf(abs(b / se))
        extra = {"cluster_variance": fit.cluster_variance, "residual_variance": fit.residual_variance}
    g = hedges_g(b, y, np.asarray(sample.treatment))
    return Impact(method=method, estimate=b, se=se, df=df, ci_low=b - crit * se, ci_high=b + crit * se,
                  p_value=float(p_value), hedges_g=g, improvement_index=improvement_index(g), n_analyzed=len(y),
                  clusters=len(groups), **extra)


def reassigned_estimate(sample: Sample, units: Sequence[str]) -> Callable[[np.ndarray], float]:
    """The impact estimate as a function of the assignment: given which of `units` (the sample's clusters, in
    the allocation's order) are treated, the least-squares treatment coefficient with the sample's blocks and
    covariates. For randomization inference (randomization.randomization_p_value): each re-drawn allocation is
    scored without refitting the whole model, through the Frisch–Waugh–Lovell theorem (the coefficient is
    t̃ᵀỹ / t̃ᵀt̃, with ỹ and t̃ the outcome and treatment net of the other terms)."""
    y, X, _ = _design(sample)
    others = np.delete(X, 1, axis=1)
    solve = np.linalg.pinv(others)
    net_outcome = y - others @ (solve @ y)
    position = {unit: index for index, unit in enumerate(units)}
    missing = sorted(set(sample.cluster) - set(position))
    if missing:
        raise ImpactError(f"The allocation does not list the clusters {', '.join(missing[:5])} of the sample.")
    rows = np.array([position[cluster] for cluster in sample.cluster])

    def coefficient(treated: np.ndarray) -> float:
        t = np.asarray(treated, dtype=float)[rows]
        net_treatment = t - others @ (solve @ t)
        return float(net_treatment @ net_outcome / (net_treatment @ net_treatment))

    return coefficient


def hedges_g(impact: float, outcome: np.ndarray, treatment: np.ndarray) -> float:
    """ω · impact / S: S the pooled standard deviation of the outcome among the analysed treated and control
    members, ω = 1 − 3/(4N − 9) the small-sample correction (WWC Procedures and Standards Handbook)."""
    treated, control = outcome[treatment == 1], outcome[treatment == 0]
    n_t, n_c = len(treated), len(control)
    pooled = math.sqrt(((n_t - 1) * treated.var(ddof=1) + (n_c - 1) * control.var(ddof=1)) / (n_t + n_c - 2))
    return (1 - 3 / (4 * (n_t + n_c) - 9)) * impact / pooled


def improvement_index(g: float) -> float:
    """The expected change in percentile rank of an average control member, had they been treated (WWC)."""
    from scipy import stats

    return 100 * stats.norm.cdf(g) - 50


def _design(sample: Sample) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    y = np.asarray(sample.outcome, dtype=float)
    treatment = np.asarray(sample.treatment, dtype=float)
    n = len(y)
    if not (len(treatment) == len(sample.cluster) == n):
        raise ImpactError("The outcome, treatment and cluster columns must have one value per student.")
    if not set(np.unique(treatment)) <= {0.0, 1.0}:
        raise ImpactError("Treatment must be 1 (treated) or 0 (control) for every student.")
    if treatment.min() == treatment.max():
        raise ImpactError("The sample needs both treated and control students.")
    columns = [np.ones(n), treatment]
    for name, values in (sample.covariates or {}).items():
        column = np.asarray(values, dtype=float)
        if len(column) != n:
            raise ImpactError(f"The covariate {name} must have one value per student.")
        columns.append(column)
    if sample.block is not None:
        blocks = sorted(set(sample.block))
        columns += [np.array([value == block for value in sample.block], dtype=float) for block in blocks[1:]]
    X = np.column_stack(columns)
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise ImpactError("The model cannot be fitted: a covariate is constant or duplicates the blocks or the "
                          "treatment (for example, every block entirely treated or entirely control).")
    labels = np.asarray(sample.cluster)
    groups = [np.flatnonzero(labels == label) for label in dict.fromkeys(labels)]
    treated_clusters = {float(treatment[rows[0]]) for rows in groups}
    if any(len(set(treatment[rows])) > 1 for rows in groups):
        raise ImpactError("Every member of a cluster must have the same treatment: assignment is by cluster.")
    if len(treated_clusters) < 2 or len(groups) < 3:
        raise ImpactError("An impact estimate needs at least 3 clusters, with treated and control among them.")
    if n <= X.shape[1]:
        raise ImpactError(f"{n} students cannot fit a model of {X.shape[1]} terms.")
    return y, X, groups


def _cr2(y: np.ndarray, X: np.ndarray, groups: list[np.ndarray]) -> tuple[float, float, float]:
    """The treatment coefficient (column 1), its CR2 standard error and Bell–McCaffrey degrees of freedom."""
    bread = np.linalg.inv(X.T @ X)
    b = bread @ (X.T @ y)
    residuals = y - X @ b
    contrast = bread[:, 1]
    meat_terms, u, z = [], [], []
    for rows in groups:
        Xg = X[rows]
        # A_g = (I − H_gg)^(-1/2), the Bell–McCaffrey adjustment, through the symmetric eigen-decomposition.
        values, vectors = np.linalg.eigh(np.eye(len(rows)) - Xg @ bread @ Xg.T)
        adjust = vectors @ np.diag(1 / np.sqrt(np.clip(values, 1e-12, None))) @ vectors.T
        meat_terms.append(Xg.T @ (adjust @ residuals[rows]))
        ug = adjust @ (Xg @ contrast)
        u.append(ug)
        z.append(Xg.T @ ug)
    meat = sum(np.outer(term, term) for term in meat_terms)
    variance = (bread @ meat @ bread)[1, 1]
    # Bell–McCaffrey: Satterthwaite degrees of freedom of the CR2 variance under a working model of
    # independent errors; G'G = diag(|u_s|²) − Z'(X'X)⁻¹Z, computed without the n × n hat matrix.
    Z = np.column_stack(z)
    gram = np.diag([float(ug @ ug) for ug in u]) - Z.T @ bread @ Z
    df = float(np.trace(gram) ** 2 / np.sum(gram * gram))
    return float(b[1]), float(math.sqrt(variance)), df


@dataclass(frozen=True)
class _MixedFit:
    coefficient: float
    se: float
    cluster_variance: float
    residual_variance: float
    criterion: float


def _random_intercept(y: np.ndarray, X: np.ndarray, groups: list[np.ndarray]) -> _MixedFit:
    """REML fit of y = Xb + u_cluster + e (improvenet.studies.variance), reporting the treatment coefficient
    (column 1)."""
    fit = reml_fit(y, X, groups)
    return _MixedFit(coefficient=float(fit.coefficients[1]), se=float(math.sqrt(fit.covariance[1, 1])),
                     cluster_variance=fit.school, residual_variance=fit.residual, criterion=fit.criterion)


def reml_criterion(sample: Sample) -> float:
    """−2 × the maximized restricted log-likelihood of the random-intercept model (lme4's REMLcrit)."""
    return _random_intercept(*_design(sample)).criterion
