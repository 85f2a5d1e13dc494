"""Minimum detectable effect sizes and minimum required sample sizes for the designs of PowerUp!
(Dong & Maynard 2013), as PowerUpR computes them. Pure: scipy only.

An MDES is the smallest true effect, in standard deviations of the outcome, that a design detects with the
chosen power: MDES = M × SE, where SE is the standard error of the impact estimate in effect-size units and
the multiplier M = t(α/2 or α, df) + t(power, df). The tests compare every design with PowerUpR 1.1.0
(tests/fixtures/studies/powerupr_reference.json).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace


class PowerError(ValueError):
    """Design parameters that describe no feasible study; the message names the parameter."""


@dataclass(frozen=True)
class Design:
    """The parameters of a design, named as in PowerUp!. Sizes: `n` members per cluster (level 1), `J`
    clusters (per block for three-level designs), `K` blocks or level-3 units. `rho2`, `rho3` the
    intraclass correlations; `omega3` the treatment-effect heterogeneity across blocks; `R1`, `R2`, `R3`
    the shares of variance that covariates explain at each level, `RT3` of the heterogeneity; `g` the
    number of covariates at the level of assignment; `P` the share of units assigned to treatment."""

    design: str
    n: float | None = None
    J: float | None = None
    K: float | None = None
    rho2: float = 0.0
    rho3: float = 0.0
    omega3: float = 0.0
    R1: float = 0.0
    R2: float = 0.0
    R3: float = 0.0
    RT3: float = 0.0
    g: int = 0
    P: float = 0.5
    alpha: float = 0.05
    power: float = 0.80
    two_tailed: bool = True


@dataclass(frozen=True)
class Detectable:
    mdes: float
    df: float
    standard_error: float
    multiplier: float


@dataclass(frozen=True)
class Required:
    """The smallest whole size whose MDES reaches the target, and the size where the MDES equals it exactly
    (PowerUp! reports that one rounded to the nearest whole number)."""

    size: str
    required: int
    continuous: float
    detectable: Detectable


@dataclass(frozen=True)
class _Rule:
    """A design's assignment level, the sizes it needs, its degrees of freedom and squared standard error.

    `title` names the units assigned at level two as `{assigned}`: schools, unless a study assigns classrooms.
    """

    title: str
    sizes: tuple[str, ...]
    solves: str
    df: callable
    variance: callable

    @property
    def label(self) -> str:
        return self.label_for("Schools")

    def label_for(self, assigned: str) -> str:
        return self.title.format(assigned=assigned)


def _share(d: Design) -> float:
    return d.P * (1 - d.P)


RULES = {
    "ira1r1": _Rule(
        "Students randomly assigned", ("n",), "n",
        lambda d: d.n - d.g - 2,
        lambda d: (1 - d.R1) / (_share(d) * d.n),
    ),
    "cra2r2": _Rule(
        "{assigned} randomly assigned (two levels)", ("n", "J"), "J",
        lambda d: d.J - d.g - 2,
        lambda d: d.rho2 * (1 - d.R2) / (_share(d) * d.J) + (1 - d.rho2) * (1 - d.R1) / (_share(d) * d.J * d.n),
    ),
    "cra3r3": _Rule(
        "Level-3 units (e.g. districts) randomly assigned (three levels)", ("n", "J", "K"), "K",
        lambda d: d.K - d.g - 2,
        lambda d: (d.rho3 * (1 - d.R3) / (_share(d) * d.K) + d.rho2 * (1 - d.R2) / (_share(d) * d.J * d.K)
                   + (1 - d.rho2 - d.rho3) * (1 - d.R1) / (_share(d) * d.J * d.K * d.n)),
    ),
    "bcra3r2": _Rule(
        "{assigned} randomly assigned within blocks, blocks random", ("n", "J", "K"), "K",
        lambda d: d.K - d.g - 1,
        lambda d: (d.rho3 * d.omega3 * (1 - d.RT3) / d.K + d.rho2 * (1 - d.R2) / (_share(d) * d.J * d.K)
                   + (1 - d.rho2 - d.rho3) * (1 - d.R1) / (_share(d) * d.J * d.K * d.n)),
    ),
    "bcra3f2": _Rule(
        "{assigned} randomly assigned within blocks, blocks fixed", ("n", "J", "K"), "J",
        lambda d: d.K * (d.J - 2) - d.g,
        lambda d: (d.rho2 * (1 - d.R2) / (_share(d) * d.J * d.K)
                   + (1 - d.rho2) * (1 - d.R1) / (_share(d) * d.J * d.K * d.n)),
    ),
}
DESIGNS = tuple(RULES)


def multiplier(df: float, alpha: float, power: float, two_tailed: bool) -> float:
    """M = t quantile for the test plus the t quantile for the power (minus it when power is below 1/2)."""
    # Imported here, as below: the study model names the designs, and starting the site must not load scipy.
    from scipy import stats

    test = abs(stats.t.ppf(alpha / 2 if two_tailed else alpha, df))
    wanted = abs(stats.t.ppf(power, df))
    return test + wanted if power >= 0.5 else test - wanted


def mdes(design: Design) -> Detectable:
    rule = _checked(design)
    df = rule.df(design)
    if df < 1:
        raise PowerError(f"The design leaves {df:g} degrees of freedom: add {rule.solves} or remove covariates.")
    standard_error = math.sqrt(rule.variance(design))
    m = multiplier(df, design.alpha, design.power, design.two_tailed)
    # Sizes may be averages (a harmonic mean of school sizes), so df may be fractional; whole when they are.
    df = int(df) if float(df).is_integer() else df
    return Detectable(mdes=m * standard_error, df=df, standard_error=standard_error, multiplier=m)


def required(design: Design, target: float) -> Required:
    """The size the design solves for (`n`, `J` or `K`) that detects `target` with the design's power,
    the degrees of freedom varying with it."""
    rule = _checked(design, solving=True)
    if target <= 0:
        raise PowerError("The target effect must be greater than 0 standard deviations.")

    def excess(size: float) -> float:
        return mdes(replace(design, **{rule.solves: size})).mdes - target

    smallest = _smallest_feasible(design, rule)
    if excess(smallest) <= 0:
        continuous = smallest
    else:
        upper = smallest * 2
        while excess(upper) > 0:
            if upper > 1e9:
                raise PowerError(f"No {rule.solves} up to a billion detects {target:g} with this design: a "
                                 "term that does not shrink with it (such as the heterogeneity across blocks) is "
                                 "too large.")
            upper *= 2
        from scipy import optimize

        continuous = optimize.brentq(excess, smallest, upper, xtol=1e-10)
    whole = max(math.ceil(continuous - 1e-9), math.ceil(smallest))
    return Required(size=rule.solves, required=whole, continuous=continuous,
                    detectable=mdes(replace(design, **{rule.solves: whole})))


def _smallest_feasible(design: Design, rule: _Rule) -> float:
    """The smallest size that leaves at least one degree of freedom."""
    size = 1.0
    while rule.df(replace(design, **{rule.solves: size})) < 1:
        size += 1
    return size


def _checked(design: Design, solving: bool = False) -> _Rule:
    if design.design not in RULES:
        raise PowerError(f"Unknown design “{design.design}”: choose one of {', '.join(DESIGNS)}.")
    rule = RULES[design.design]
    for name in rule.sizes:
        value = getattr(design, name)
        if solving and name == rule.solves:
            continue
        if value is None:
            raise PowerError(f"The design {design.design} needs --{name}.")
        if value < (1 if name == "n" else 2):
            raise PowerError(f"--{name} is {value:g}; it must be at least {1 if name == 'n' else 2}.")
    for name in ("rho2", "rho3", "R1", "R2", "R3", "RT3"):
        if not 0 <= getattr(design, name) < 1 and not (name.startswith("R") and getattr(design, name) == 0):
            raise PowerError(f"--{name} is {getattr(design, name):g}; it must be at least 0 and less than 1.")
    if design.rho2 + design.rho3 >= 1:
        raise PowerError("rho2 + rho3 must be less than 1: together they are shares of the outcome's variance.")
    if design.omega3 < 0:
        raise PowerError("--omega3 must be at least 0.")
    if not 0 < design.P < 1:
        raise PowerError(f"--P is {design.P:g}; the share assigned to treatment must lie between 0 and 1.")
    if not 0 < design.alpha < 1 or not 0 < design.power < 1:
        raise PowerError("--alpha and --power must lie between 0 and 1.")
    if design.g < 0:
        raise PowerError("--g, the number of covariates, must be at least 0.")
    return rule


PARAMETERS = tuple(field.name for field in fields(Design))
