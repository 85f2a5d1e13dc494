"""`improvenet spc`: run charts and control charts from a CSV file, without a server.

This command never imports Django: it only needs the pure ``improvenet.spc`` package.
"""

from __future__ import annotations

import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer


class Chart(StrEnum):
    run = "run"
    i = "i"
    mr = "mr"
    xbar = "xbar"
    s = "s"
    t = "t"
    p = "p"
    pp = "pp"
    c = "c"
    u = "u"
    up = "up"
    g = "g"


class Rules(StrEnum):
    anhoej = "anhoej"
    ihi = "ihi"
    nhs = "nhs"


class Format(StrEnum):
    csv = "csv"
    json = "json"
    svg = "svg"
    png = "png"


def _fail(message: str) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code=1)


def _data_row(message: str) -> str:
    """The engine names rows from 1 = the first row of data ("row 8: ..."); in a CSV file that
    is the first row under the header, so say "data row 8" rather than a line number."""
    return re.sub(r"^row (\d+)\b", r"data row \1", message)


def _names(text: str | None) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()] if text else []


def _positions(text: str | None) -> list[int] | None:
    if not text:
        return None
    try:
        return [int(item) for item in text.split(",") if item.strip()]
    except ValueError:
        _fail(f"--exclude takes point positions separated by commas, like 3,9 (got {text!r})")


def _read_csv(path: Path, x: str | None, x_categories: bool):
    import pandas as pd

    try:
        frame = pd.read_csv(path)
    except (OSError, ValueError) as error:
        _fail(f"cannot read {path}: {error}")
    if x and x in frame.columns and not pd.api.types.is_numeric_dtype(frame[x]) and not x_categories:
        frame[x] = _as_dates(frame[x], x)
    return frame


def _as_dates(values, name: str):
    """Dates or date-times written as text (2024-09-02, 2024-09-02T08:00) as datetimes, so
    that they sort in time and get a runs analysis; anything else is refused, naming the row."""
    import pandas as pd

    parsed = pd.to_datetime(values, format="ISO8601", errors="coerce")
    unreadable = parsed.isna() & values.notna()
    if unreadable.any():
        row = int(unreadable.to_numpy().nonzero()[0][0])
        _fail(
            f"data row {row + 1}: --x column {name!r} has {values.iloc[row]!r}, which is neither a number nor "
            "a date like 2024-09-02; to chart the column as categories in file order, add --x-categories "
            "(runs analysis is then off)"
        )
    return parsed


def spc(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV file with one row per observation (e.g. one row per school and week), "
            "and a header row with the column names.",
            show_default=False,
        ),
    ],
    y: Annotated[
        str,
        typer.Option(
            "--y",
            help="Column with the value to chart: the count (e.g. students present, referrals) "
            "for p, pp, c, u, up charts, otherwise the measurement itself.",
            show_default=False,
        ),
    ],
    chart: Annotated[
        Chart,
        typer.Option(
            "--chart",
            help="Chart type. run: median line, no limits (any data). i: individual values "
            "(e.g. average score). mr: moving ranges. xbar/s: averages/spread of several "
            "measurements per period. t: time between rare events. p: percentages (needs --n). "
            "pp: p for very large groups (Laney). c: counts. u: rates per unit (needs --n). "
            "up: u for very large groups (Laney). g: number of days or cases between incidents.",
        ),
    ] = Chart.run,
    n: Annotated[
        str | None,
        typer.Option(
            "--n",
            help="Column with the denominator: how many could have counted (e.g. students "
            "enrolled, school days). Needed for p, pp, u and up charts.",
        ),
    ] = None,
    x: Annotated[
        str | None,
        typer.Option(
            "--x",
            help="Column with the time period (a date like 2024-09-02, a date and time like "
            "2024-09-02T08:00, or a week number). Rows with the same value are added together. "
            "Default: the rows in file order.",
        ),
    ] = None,
    x_categories: Annotated[
        bool,
        typer.Option(
            "--x-categories",
            help="Read the --x column as categories (e.g. names of classes), kept in file order. "
            "Categories have no time order, so runs analysis is off: only points beyond the limits "
            "signal. A warning says so.",
        ),
    ] = False,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="Column(s), separated by commas, that name a separate chart each, e.g. school or school,grade.",
        ),
    ] = None,
    part: Annotated[
        str | None,
        typer.Option(
            "--part",
            help="Column naming the phase of each row (e.g. before, after). New centre line "
            "and limits are computed for each phase.",
        ),
    ] = None,
    freeze: Annotated[
        int | None,
        typer.Option(
            "--freeze",
            help="Compute the centre line and limits from the first N points only (the "
            "baseline), and extend them over the later points to judge a change. With --part, N "
            "counts points of the first phase; later phases use all their points. With --by, a "
            "chart with fewer than N points is shown without centre line or limits, with a note.",
        ),
    ] = None,
    min_part_points: Annotated[
        int | None,
        typer.Option(
            "--min-part-points",
            help="A phase with fewer points keeps the previous phase's centre line and limits "
            "(frozen), and a first phase with fewer has trial limits (column limits_source). "
            "The platform uses 12. Default: every phase gets its own limits, as qicharts2.",
        ),
    ] = None,
    exclude: Annotated[
        str | None,
        typer.Option(
            "--exclude",
            help="Positions of points (1 = first point of each chart) to leave out of the "
            "centre line and limits, separated by commas, e.g. 3,9 for a snow day.",
        ),
    ] = None,
    multiply: Annotated[
        float,
        typer.Option("--multiply", help="Multiply the values, e.g. 100 to show percentages."),
    ] = 1.0,
    screened_mr: Annotated[
        bool,
        typer.Option(
            "--screened-mr",
            help="Ignore very large jumps between successive points (more than 3.267 times "
            "the average jump) when estimating the limits, so one odd week does not widen them "
            "(i, t, pp and up charts). Off by default here, but R's qicharts2 turns it on when "
            "attached with library(qicharts2): add --screened-mr to match its default output.",
        ),
    ] = False,
    rules: Annotated[
        Rules,
        typer.Option(
            "--rules",
            help="How to spot a real change. anhoej: unusually long runs or too few crossings "
            "of the centre line (default). ihi: 6 points on one side, 5 going up or down. nhs: "
            "NHS Making Data Count rules for I charts (7 on one side or rising/falling, 2 of 3 "
            "near a limit).",
        ),
    ] = Rules.anhoej,
    output_format: Annotated[
        Format,
        typer.Option(
            "--format",
            help="csv or json: the numbers; svg or png: a picture of the chart.",
        ),
    ] = Format.csv,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="File to write to. Default: print to the screen (not png)."),
    ] = None,
    parts: Annotated[
        bool,
        typer.Option(
            "--parts",
            help="Print the summary per chart and phase (runs analysis, number of signals) "
            "instead of one row per point.",
        ),
    ] = False,
    episodes: Annotated[
        bool,
        typer.Option(
            "--episodes",
            help="Print the signals as episodes instead of one row per point: consecutive points "
            "of one rule and direction are one row, with their first and last period.",
        ),
    ] = False,
    title: Annotated[str | None, typer.Option("--title", help="Title of the picture (svg, png).")] = None,
) -> None:
    """Make a run chart or control chart from a CSV file and print its numbers or a picture.

    Each point gets its centre line, limits and whether it signals a real change.
    Messages name "data row N": data row 1 is the first row under the header.
    Examples (the files are in docs/examples/spc/):

    \b
        improvenet spc attendance.csv --chart p --y present --n enrolled \\
            --x week --by school --multiply 100 --episodes
        # episode: Lincoln longest_run above, 2025-01-13 to 2025-04-07
        improvenet spc attendance.csv --chart p --y present --n enrolled \\
            --x week --by school --multiply 100 --format svg --out attendance.svg
    """
    from improvenet.lib.spreadsheet import safe_frame
    from improvenet.spc import SPCInputError, qic, qic_many

    if parts and episodes:
        _fail("--parts and --episodes each choose the table to print: give one of them")
    if x_categories and not x:
        _fail("--x-categories reads the --x column as categories: give the column with --x")
    frame = _read_csv(file, x, x_categories)
    if x_categories:
        frame[x] = frame[x].astype("string")
        typer.echo(
            f"Warning: --x-categories: {x!r} is read as categories, not time, so runs analysis is off "
            "(only points beyond the limits signal).",
            err=True,
        )
    options = dict(
        chart=chart.value,
        min_part_points=min_part_points,
        freeze=freeze,
        exclude=_positions(exclude),
        multiply=multiply,
        screened_mr=screened_mr,
        rules=rules.value,
    )
    try:
        for name in [y, n, x, part, *_names(by)]:
            if name is not None and name not in frame.columns:
                raise SPCInputError(f"the file has no column {name!r}; its columns are: {', '.join(frame.columns)}")
        if by:
            result = qic_many(frame, by=_names(by), y=y, n=n, x=x, part=part, **options)
        else:
            result = qic(
                frame[y],
                None if n is None else frame[n],
                x=None if x is None else frame[x],
                # One phase label per row: labels even when they are numbers.
                part=None if part is None else frame[part].astype(str).tolist(),
                **options,
            )
        for note in result.notes:
            typer.echo(f"Note: {_data_row(note)}", err=True)
        table = "parts" if parts else "episodes" if episodes else "points"
        if output_format is Format.csv:
            content: str | bytes = safe_frame(result.to_frame(table, backend="pandas")).to_csv(index=False)
        elif output_format is Format.json:
            content = result.to_json(indent=2) if table == "points" else _json(result.to_dict()[table])
        elif output_format is Format.svg:
            content = result.to_svg(title=title, x_title=x)
        else:
            if out is None:
                raise SPCInputError("--format png writes a file: give it with --out chart.png")
            content = result.to_png(title=title, x_title=x)
    except SPCInputError as error:
        _fail(_data_row(str(error)))
    _write(content, out)


def _json(value) -> str:
    import json

    return json.dumps(value, indent=2)


def _write(content: str | bytes, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(content if isinstance(content, str) else content.decode())
        return
    try:
        if isinstance(content, bytes):
            out.write_bytes(content)
        else:
            out.write_text(content)
    except OSError as error:
        _fail(f"cannot write {out}: {error}")
