"""Fixed- and random-effects meta-analysis and meta-regression, as R's metafor (`rma`, `predict`) computes them.

Pure: numpy and scipy only. Every formula, with its source, is in docs/synthesis.md; the tests compare each
estimator with metafor 3.8 to 1e-6 (tests/fixtures/synthesis/metafor_reference.json).

Notation: `yi` the sites' effect estimates, `vi` their sampling variances, `X` the design matrix (a column of
ones, then the moderators), weights `w = 1 / (vi + tau2)`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

METHODS = ("FE", "DL", "REML", "PM")
TESTS = ("z", "knha")
METHOD_NAMES = {
    "FE": "fixed effect (inverse variance)",
    "DL": "random effects, DerSimonian–Laird",
    "REML": "random effects, restricted maximum likelihood",
    "PM": "random effects, Paule–Mandel",
}
TEST_NAMES = {"z": "Wald (z)", "knha": "Hartung–Knapp (t)"}
# Below this many estimates the Wald test is too liberal for random-effects models (IntHout et al. 2014).
KNAPP_HARTUNG_BELOW = 20
# The REML and Paule–Mandel root searches stop when tau2 is known to within this.
TOLERANCE = 1e-12
MAX_ITERATIONS = 10_000
# Cox's logit transformation: log odds ratio / 1.65 is a standardized mean difference (WWC handbook).
COX_CONSTANT = 1.65


class MetaAnalysisError(ValueError):
    """Estimates that cannot be pooled, with a message that names the problem."""


@dataclass(frozen=True)
class Pooled:
    """A pooled estimate: its interval, the heterogeneity, and where a new site's effect is likely to fall."""

    method: str
    test: str
    k: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    tau2: float
    i2: float
    h2: float
    q: float
    q_df: int
    q_p: float
    pi_low: float
    pi_high: float
    level: float

    @property
    def tau(self) -> float:
        return math.sqrt(self.tau2)

    def summary(self) -> dict[str, float]:
        """The figures `improvenet meta --json` prints (`i2` in percent, as metafor prints it)."""
        return {"estimate": self.estimate, "se": self.se, "ci_low": self.ci_low, "ci_high": self.ci_high,
                "p_value": self.p_value, "tau2": self.tau2, "i2": self.i2, "q": self.q, "q_p": self.q_p,
                "pi_low": self.pi_low, "pi_high": self.pi_high}


@dataclass(frozen=True)
class Coefficient:
    term: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float


@dataclass(frozen=True)
class Regression:
    """A meta-regression: how the effect changes with the sites' characteristics."""

    method: str
    test: str
    k: int
    coefficients: tuple[Coefficient, ...]
    tau2: float
    qe: float
    qe_df: int
    qe_p: float
    qm: float
    qm_df: tuple[int, ...]
    qm_p: float

    def summary(self) -> dict:
        """The figures `improvenet meta --moderator ... --json` prints; with Hartung–Knapp `qm` is an F statistic."""
        return {
            "coefficients": [{"term": c.term, "estimate": c.estimate, "se": c.se} for c in self.coefficients],
            "tau2": self.tau2, "qe": self.qe, "qm": self.qm,
        }


def default_test(method: str, k: int) -> str:
    """Hartung–Knapp for random-effects models with fewer than 20 estimates, Wald otherwise."""
    return "knha" if method != "FE" and k < KNAPP_HARTUNG_BELOW else "z"


def pool(yi: Sequence[float], vi: Sequence[float], method: str = "REML", test: str | None = None,
         level: float = 0.95) -> Pooled:
    """The pooled effect of `yi` (variances `vi`) by `method`, tested by `test` (default: `default_test`)."""
    y, v = _estimates(yi, vi)
    test = _checked_test(method, test, len(y))
    fit = _Fit(y, v, np.ones((len(y), 1)), method, test, level)
    estimate, se = float(fit.b[0]), float(math.sqrt(fit.vb[0, 0]))
    half = fit.crit * se
    half_new_site = fit.crit * math.sqrt(se**2 + fit.tau2)
    return Pooled(
        method=method, test=test, k=len(y), estimate=estimate, se=se, ci_low=estimate - half,
        ci_high=estimate + half, p_value=fit.p_values[0], tau2=fit.tau2, i2=fit.i2, h2=fit.h2, q=fit.qe,
        q_df=fit.df, q_p=fit.qe_p, pi_low=estimate - half_new_site, pi_high=estimate + half_new_site, level=level,
    )


def regress(yi: Sequence[float], vi: Sequence[float], moderators: Mapping[str, Sequence[float]],
            method: str = "REML", test: str | None = None, level: float = 0.95) -> Regression:
    """A meta-regression of `yi` on an intercept and the `moderators` (name → one value per estimate)."""
    y, v = _estimates(yi, vi)
    if not moderators:
        raise MetaAnalysisError("A meta-regression needs at least one moderator.")
    columns = [np.ones(len(y))]
    for name, values in moderators.items():
        column = np.asarray(values, dtype=float)
        if column.shape != y.shape:
            raise MetaAnalysisError(f"The moderator “{name}” has {column.size} values for {y.size} estimates.")
        columns.append(column)
    X = np.column_stack(columns)
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise MetaAnalysisError("The moderators are collinear (one is a combination of the others or constant).")
    if len(y) <= X.shape[1]:
        raise MetaAnalysisError(
            f"{len(y)} estimates cannot fit an intercept and {X.shape[1] - 1} moderators: "
            f"at least {X.shape[1] + 1} are needed."
        )
    test = _checked_test(method, test, len(y))
    fit = _Fit(y, v, X, method, test, level)
    terms = ["intercept", *moderators]
    ses = np.sqrt(np.diag(fit.vb))
    coefficients = tuple(
        Coefficient(term, float(b), float(se), float(b - fit.crit * se), float(b + fit.crit * se), p)
        for term, b, se, p in zip(terms, fit.b, ses, fit.p_values, strict=True)
    )
    from scipy import stats  # a second to load: not when the site or a command starts

    slopes, covariance = fit.b[1:], fit.vb[1:, 1:]
    m = len(slopes)
    wald = float(slopes @ np.linalg.solve(covariance, slopes))
    if test == "knha":
        qm, qm_df, qm_p = wald / m, (m, fit.df), float(stats.f.sf(wald / m, m, fit.df))
    else:
        qm, qm_df, qm_p = wald, (m,), float(stats.chi2.sf(wald, m))
    return Regression(method=method, test=test, k=len(y), coefficients=coefficients, tau2=fit.tau2, qe=fit.qe,
                      qe_df=fit.df, qe_p=fit.qe_p, qm=qm, qm_df=qm_df, qm_p=qm_p)


class _Fit:
    """Weighted least squares with the chosen between-site variance, as `metafor::rma.uni` fits it."""

    def __init__(self, y: np.ndarray, v: np.ndarray, X: np.ndarray, method: str, test: str, level: float):
        from scipy import stats  # a second to load: not when the site or a command starts

        k, p = X.shape
        self.df = k - p
        fixed = _Weighted(y, v, X)
        # Cochran's Q always uses the fixed-effect weights.
        self.qe = float(np.sum(fixed.w * fixed.residuals**2))
        self.qe_p = float(stats.chi2.sf(self.qe, self.df)) if self.df > 0 else 1.0
        self.tau2 = 0.0 if method == "FE" else _TAU2[method](y, v, X, fixed, self.df)
        fit = _Weighted(y, v + self.tau2, X)
        self.b, self.vb = fit.b, fit.vb
        if test == "knha":
            self.vb = self.vb * float(np.sum(fit.w * fit.residuals**2)) / self.df
            self.crit = float(stats.t.ppf(1 - (1 - level) / 2, self.df))
        else:
            self.crit = float(stats.norm.ppf(1 - (1 - level) / 2))
        ses = np.sqrt(np.diag(self.vb))
        statistics = np.divide(self.b, ses, out=np.full_like(self.b, np.inf), where=ses > 0)
        tail = stats.t.sf(np.abs(statistics), self.df) if test == "knha" else stats.norm.sf(np.abs(statistics))
        self.p_values = [float(2 * value) for value in tail]
        if method == "FE":
            self.i2 = max(0.0, 100 * (self.qe - self.df) / self.qe) if self.qe > 0 else 0.0
            self.h2 = self.qe / self.df if self.df > 0 else 1.0
        else:
            # The "typical" within-site variance of Higgins & Thompson (2002), generalized to moderators.
            typical = self.df / float(np.trace(fixed.projection))
            self.i2 = 100 * self.tau2 / (typical + self.tau2)
            self.h2 = (typical + self.tau2) / typical


class _Weighted:
    """The weighted least squares fit of `y` on `X` with weights 1 / `variances`."""

    def __init__(self, y: np.ndarray, variances: np.ndarray, X: np.ndarray):
        self.w = 1 / variances
        weighted_x = X * self.w[:, None]
        self.vb = np.linalg.inv(X.T @ weighted_x)
        self.b = self.vb @ (weighted_x.T @ y)
        self.residuals = y - X @ self.b
        self.y = y
        # P = W - W X (X'WX)^-1 X'W: Py are the weighted residuals; tr(P) enters every moment estimator.
        self.projection = np.diag(self.w) - weighted_x @ self.vb @ weighted_x.T


def _dersimonian_laird(y, v, X, fixed: _Weighted, df: int) -> float:
    q = float(np.sum(fixed.w * fixed.residuals**2))
    return max(0.0, (q - df) / float(np.trace(fixed.projection)))


def _generalized_q(y, v, X, tau2: float) -> float:
    fit = _Weighted(y, v + tau2, X)
    return float(np.sum(fit.w * fit.residuals**2))


def _paule_mandel(y, v, X, fixed: _Weighted, df: int) -> float:
    """The tau2 at which the generalized Q equals its degrees of freedom (0 when Q at 0 is already below)."""
    if _generalized_q(y, v, X, 0.0) <= df:
        return 0.0
    upper = max(float(np.var(y)), 1e-8)
    while _generalized_q(y, v, X, upper) > df:
        upper *= 2
    return _root(lambda tau2: _generalized_q(y, v, X, tau2) - df, upper)


def _root(function, upper: float) -> float:
    """The tau2 between 0 and `upper` where `function` changes sign."""
    from scipy import optimize  # a second to load: not when the site or a command starts

    return float(optimize.brentq(function, 0.0, upper, xtol=TOLERANCE, rtol=8.9e-16, maxiter=MAX_ITERATIONS))


def _reml_score(y, v, X, tau2: float) -> float:
    """Twice the slope of the restricted log-likelihood in tau2: y'PPy - tr(P)."""
    projection = _Weighted(y, v + tau2, X).projection
    py = projection @ y
    return float(py @ py - np.trace(projection))


def _reml(y, v, X, fixed: _Weighted, df: int) -> float:
    """The root of the restricted likelihood's score, found by bracketing: where metafor's Fisher scoring
    converges when it does, and also where Fisher scoring oscillates and metafor gives up."""
    if _reml_score(y, v, X, 0.0) <= 0:
        return 0.0
    upper = max(_dersimonian_laird(y, v, X, fixed, df), float(np.var(y)), 1e-8)
    while _reml_score(y, v, X, upper) > 0:
        upper *= 2
    return _root(lambda tau2: _reml_score(y, v, X, tau2), upper)


_TAU2 = {"DL": _dersimonian_laird, "REML": _reml, "PM": _paule_mandel}


def _estimates(yi: Sequence[float], vi: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    y, v = np.asarray(yi, dtype=float), np.asarray(vi, dtype=float)
    if y.shape != v.shape or y.ndim != 1:
        raise MetaAnalysisError(f"{y.size} estimates but {v.size} variances: give one variance per estimate.")
    if y.size < 2:
        raise MetaAnalysisError(f"Pooling needs at least 2 estimates; there {'is' if y.size == 1 else 'are'} {y.size}.")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(v))):
        raise MetaAnalysisError("Every estimate and variance must be a finite number.")
    if np.any(v <= 0):
        raise MetaAnalysisError("Every variance must be greater than 0.")
    return y, v


def _checked_test(method: str, test: str | None, k: int) -> str:
    if method not in METHODS:
        raise MetaAnalysisError(f"Unknown method “{method}”: choose one of {', '.join(METHODS)}.")
    test = test or default_test(method, k)
    if test not in TESTS:
        raise MetaAnalysisError(f"Unknown test “{test}”: choose z or knha.")
    if test == "knha" and method == "FE":
        raise MetaAnalysisError("The Hartung–Knapp test is for random-effects models; use the z test with FE.")
    return test


# Effect sizes from the data a study reports.

def hedges_g(mean1: float, sd1: float, n1: int, mean2: float, sd2: float, n2: int) -> tuple[float, float]:
    """Hedges' g (group 1 minus group 2) and its sampling variance, with the exact small-sample correction
    (metafor's escalc "SMD"; the WWC's ω = 1 − 3/(4N − 9) is its approximation)."""
    if min(n1, n2) < 2 or sd1 <= 0 or sd2 <= 0:
        raise MetaAnalysisError("Each group needs at least 2 members and a standard deviation greater than 0.")
    df = n1 + n2 - 2
    pooled_sd = math.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / df)
    correction = math.exp(math.lgamma(df / 2) - math.log(math.sqrt(df / 2)) - math.lgamma((df - 1) / 2))
    g = correction * (mean1 - mean2) / pooled_sd
    return g, 1 / n1 + 1 / n2 + g**2 / (2 * (n1 + n2))


def _two_by_two(events1: int, n1: int, events2: int, n2: int) -> tuple[float, float, float, float]:
    """The four cells, with 1/2 added to each when one is empty (metafor's default)."""
    if not (0 <= events1 <= n1 and 0 <= events2 <= n2 and n1 > 0 and n2 > 0):
        raise MetaAnalysisError("Events must lie between 0 and the group's size, and each group needs members.")
    cells = (events1, n1 - events1, events2, n2 - events2)
    return tuple(cell + 0.5 for cell in cells) if 0 in cells else tuple(float(cell) for cell in cells)


def log_risk_ratio(events1: int, n1: int, events2: int, n2: int) -> tuple[float, float]:
    """The log risk ratio of a yes/no outcome (on track, graduated) and its sampling variance."""
    a, b, c, d = _two_by_two(events1, n1, events2, n2)
    return math.log((a / (a + b)) / (c / (c + d))), 1 / a - 1 / (a + b) + 1 / c - 1 / (c + d)


def cox_logit(events1: int, n1: int, events2: int, n2: int) -> tuple[float, float]:
    """The WWC's effect size for a yes/no outcome: the log odds ratio divided by 1.65, and its variance."""
    a, b, c, d = _two_by_two(events1, n1, events2, n2)
    return math.log((a * d) / (b * c)) / COX_CONSTANT, (1 / a + 1 / b + 1 / c + 1 / d) / COX_CONSTANT**2
