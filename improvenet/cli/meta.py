"""`improvenet meta`: pool effect estimates across sites from a CSV file, without a server.

Never imports Django: it needs only the pure `improvenet.synthesis` package (docs/synthesis.md).
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class Method(StrEnum):
    FE = "FE"
    DL = "DL"
    REML = "REML"
    PM = "PM"


class Test(StrEnum):
    z = "z"
    knha = "knha"


def meta(
    file: Annotated[Path, typer.Argument(help="CSV file with one row per site or study.", show_default=False)],
    method: Annotated[Method, typer.Option(
        help="FE: fixed effect (inverse variance). DL, REML, PM: random effects with the between-site "
             "variance by DerSimonian–Laird, restricted maximum likelihood or Paule–Mandel.")] = Method.REML,
    test: Annotated[Test | None, typer.Option(
        help="z: Wald test and interval. knha: Hartung–Knapp (t), the default for random effects with "
             "fewer than 20 estimates.", show_default=False)] = None,
    moderator: Annotated[list[str] | None, typer.Option(
        help="A column of site characteristics for a meta-regression (repeat for several).",
        show_default=False)] = None,
    yi: Annotated[str, typer.Option(help="Column of effect estimates.")] = "yi",
    vi: Annotated[str, typer.Option(help="Column of their sampling variances (standard error squared).")] = "vi",
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Pool effect estimates across sites (random-effects meta-analysis, as R's metafor computes it).

    Example: improvenet meta estimates.csv --method REML --json
    """
    from improvenet.lib.csvfile import CsvFileError
    from improvenet.synthesis.meta import MetaAnalysisError, pool, regress
    from improvenet.synthesis.reading import read_estimates

    try:
        estimates = read_estimates(file, yi, vi, moderator or [])
        if moderator:
            result = regress(estimates.yi, estimates.vi, estimates.moderators, method.value, test and test.value)
        else:
            result = pool(estimates.yi, estimates.vi, method.value, test and test.value)
    except (CsvFileError, MetaAnalysisError) as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(code=1) from None
    if as_json:
        typer.echo(json.dumps(result.summary(), indent=2))
    elif moderator:
        typer.echo(_regression_text(result))
    else:
        typer.echo(_pooled_text(result))


def _pooled_text(pooled) -> str:
    from improvenet.synthesis.meta import METHOD_NAMES, TEST_NAMES

    percent = round(pooled.level * 100)
    lines = [
        f"{pooled.k} estimates pooled: {METHOD_NAMES[pooled.method]}, {TEST_NAMES[pooled.test]}.",
        f"Pooled effect: {pooled.estimate:.3f} ({percent}% confidence interval {pooled.ci_low:.3f} to "
        f"{pooled.ci_high:.3f}; p {_p(pooled.p_value)}).",
        f"Heterogeneity: Q = {pooled.q:.2f} on {pooled.q_df} degrees of freedom (p {_p(pooled.q_p)}); "
        f"I² = {pooled.i2:.1f}% of the variation is between sites; τ² = {pooled.tau2:.4f} (τ = {pooled.tau:.3f}).",
    ]
    if pooled.method != "FE":
        lines.append(f"In a new site like these, the effect is likely ({percent}% prediction interval) between "
                     f"{pooled.pi_low:.3f} and {pooled.pi_high:.3f}.")
    return "\n".join(lines)


def _regression_text(regression) -> str:
    from improvenet.synthesis.meta import METHOD_NAMES, TEST_NAMES

    width = max(len(c.term) for c in regression.coefficients)
    lines = [f"Meta-regression of {regression.k} estimates: {METHOD_NAMES[regression.method]}, "
             f"{TEST_NAMES[regression.test]}.", f"{'term'.ljust(width)}  estimate        se  p value"]
    lines += [f"{c.term.ljust(width)}  {c.estimate:8.4f}  {c.se:8.4f}  {_p(c.p_value).removeprefix('= ')}"
              for c in regression.coefficients]
    statistic = "F" if regression.test == "knha" else "χ²"
    lines.append(f"Moderators together: {statistic} = {regression.qm:.3f} (p {_p(regression.qm_p)}); residual "
                 f"heterogeneity Q = {regression.qe:.2f} on {regression.qe_df} degrees of freedom, "
                 f"τ² = {regression.tau2:.4f}.")
    return "\n".join(lines)


def _p(value: float) -> str:
    return "< 0.0001" if value < 0.0001 else f"= {value:.4f}"
