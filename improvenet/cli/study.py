"""`improvenet study`: plan a study from the command line, without a server.

Never imports Django: it needs only the pure `improvenet.studies` modules (docs/studies.md).
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Plan studies and pilots: power and minimum detectable effects.", no_args_is_help=True)


class DesignName(StrEnum):
    ira1r1 = "ira1r1"
    cra2r2 = "cra2r2"
    cra3r3 = "cra3r3"
    bcra3r2 = "bcra3r2"
    bcra3f2 = "bcra3f2"


def _share(name: str, text: str):
    return typer.Option(f"--{name}", help=text, min=0.0, max=1.0)


@app.command("mdes")
def mdes_command(
    design: Annotated[DesignName, typer.Option(
        help="ira1r1: students randomly assigned. cra2r2: schools randomly assigned. cra3r3: districts (or "
             "clusters) randomly assigned, with schools and students below. bcra3r2 / bcra3f2: schools "
             "randomly assigned within blocks (pyramids, districts), blocks random or fixed.")],
    n: Annotated[float | None, typer.Option("--n", help="Students per school (per unit of level 1).")] = None,
    J: Annotated[float | None, typer.Option("--J", help="Schools (per block in three-level designs).")] = None,
    K: Annotated[float | None, typer.Option("--K", help="Blocks or level-3 units.")] = None,
    rho2: Annotated[float, _share("rho2", "Share of the outcome's variance between schools.")] = 0.0,
    rho3: Annotated[float, _share("rho3", "Share of the outcome's variance between level-3 units.")] = 0.0,
    omega3: Annotated[float, typer.Option("--omega3", min=0.0,
                                          help="Variation of the effect across blocks, over rho3.")] = 0.0,
    R1: Annotated[float, _share("R1", "Share of student-level variance the covariates explain.")] = 0.0,
    R2: Annotated[float, _share("R2", "Share of school-level variance the covariates explain.")] = 0.0,
    R3: Annotated[float, _share("R3", "Share of level-3 variance the covariates explain.")] = 0.0,
    RT3: Annotated[float, _share("RT3", "Share of the effect's variation across blocks explained.")] = 0.0,
    g: Annotated[int, typer.Option("--g", min=0, help="Covariates at the level of assignment.")] = 0,
    P: Annotated[float, typer.Option("--P", help="Share assigned to treatment.")] = 0.5,
    alpha: Annotated[float, typer.Option(help="Significance level.")] = 0.05,
    power: Annotated[float, typer.Option(help="Chance of detecting an effect of the MDES.")] = 0.80,
    one_tailed: Annotated[bool, typer.Option("--one-tailed", help="A one-tailed test.")] = False,
    target_mdes: Annotated[float | None, typer.Option(
        help="Print the smallest number of units (n, J or K, by design) that detects this effect instead.",
        show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Minimum detectable effect size of a design (PowerUp!, Dong & Maynard 2013), or the size it needs.

    Example: improvenet study mdes --design cra2r2 --rho2 0.17 --n 15 --J 20 --json
    """
    from improvenet.studies.power import RULES, Design, PowerError, mdes, required

    chosen = Design(design.value, n=n, J=J, K=K, rho2=rho2, rho3=rho3, omega3=omega3, R1=R1, R2=R2, R3=R3,
                    RT3=RT3, g=g, P=P, alpha=alpha, power=power, two_tailed=not one_tailed)
    try:
        if target_mdes is None:
            detectable = mdes(chosen)
            figures = {"mdes": detectable.mdes, "df": detectable.df}
            text = (f"{RULES[design.value].label}: the smallest effect detected with {power:.0%} power at "
                    f"α = {alpha:g} ({'one' if one_tailed else 'two'}-tailed) is {detectable.mdes:.3f} standard "
                    f"deviations (standard error {detectable.standard_error:.3f}, {detectable.df:g} degrees of "
                    "freedom).")
        else:
            needed = required(chosen, target_mdes)
            figures = {needed.size: needed.required, "continuous": needed.continuous,
                       "mdes": needed.detectable.mdes, "df": needed.detectable.df}
            text = (f"{RULES[design.value].label}: {needed.size} = {needed.required} detects {target_mdes:g} "
                    f"standard deviations with {power:.0%} power (MDES {needed.detectable.mdes:.3f}; the exact "
                    f"solution is {needed.size} = {needed.continuous:.2f}).")
    except PowerError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(code=1) from None
    typer.echo(json.dumps(figures, indent=2) if as_json else text)





class Method(StrEnum):
    cr2 = "cr2"
    mixed = "mixed"


@app.command("analyze")
def analyze_command(
    file: Annotated[Path, typer.Argument(help="CSV file with one row per student.", show_default=False)],
    outcome: Annotated[str, typer.Option(help="Column of the outcome (rows left empty are left out).")],
    treatment: Annotated[str, typer.Option(help="Column of assignment: 1 treated, 0 control.")],
    cluster: Annotated[str, typer.Option(help="Column naming the unit of assignment (school, classroom).")],
    block: Annotated[str | None, typer.Option(help="Column naming the randomization block (fixed effects).",
                                              show_default=False)] = None,
    covariate: Annotated[list[str] | None, typer.Option(help="A baseline covariate column (repeat for several).",
                                                        show_default=False)] = None,
    method: Annotated[Method, typer.Option(
        help="cr2: least squares with cluster-robust CR2 standard errors and Bell–McCaffrey degrees of "
             "freedom. mixed: random intercept per cluster, fitted by REML.")] = Method.cr2,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Estimate a study's impact from student outcomes (docs/studies.md).

    Example: improvenet study analyze trial.csv --outcome score --treatment treated --cluster school --json
    """
    from improvenet.lib.csvfile import CsvFileError
    from improvenet.studies.impact import ImpactError, estimate
    from improvenet.studies.reading import read_sample

    try:
        sample, left_out = read_sample(file, outcome, treatment, cluster, block, covariate or [])
        impact = estimate(sample, method.value)
    except (CsvFileError, ImpactError) as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(code=1) from None
    if as_json:
        typer.echo(json.dumps(impact.summary(), indent=2))
        return
    interval = "95% confidence interval"
    degrees = f", {impact.df:.1f} degrees of freedom" if impact.df is not None else ""
    typer.echo("\n".join([
        f"{impact.n_analyzed} students in {impact.clusters} clusters analysed ({left_out} left out for a missing "
        "outcome).",
        f"Impact: {impact.estimate:.3f} in the outcome's units (standard error {impact.se:.3f}{degrees}; "
        f"{interval} {impact.ci_low:.3f} to {impact.ci_high:.3f}; p = {impact.p_value:.4f}).",
        f"Effect size: Hedges' g = {impact.hedges_g:.3f}; improvement index {impact.improvement_index:+.1f} "
        "percentile points.",
    ]))
