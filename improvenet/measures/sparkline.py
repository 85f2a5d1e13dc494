"""Small server-rendered SVG charts for the small multiples (one per school), built as text.

Rendering sixty Vega-Lite facets per request is too slow for a page, so each small chart is a
plain SVG: the data line, the centre line (dashed when its part has a run signal), the limits,
and the points that signal drawn as diamonds (outside the limits) or triangles (part of a shift
or trend), so that signals read without colour. Each SVG has a text alternative beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import numpy as np

WIDTH, HEIGHT = 260, 120
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 36, 6, 8, 18
LINE, SIGNAL, TREND, LIMIT, CENTRE, MARK = "#2f6a9e", "#b34700", "#6a51a3", "#6b6b6b", "#222222", "#1b7a5a"


@dataclass
class Series:
    x: np.ndarray  # days since the epoch
    y: np.ndarray
    cl: np.ndarray
    lcl: np.ndarray
    ucl: np.ndarray
    part: np.ndarray
    sigma_signal: np.ndarray
    runs_signal: np.ndarray


def split_series(columns: dict[str, np.ndarray], key: str) -> dict[int, Series]:
    """The points table of a `qic_many` result, cut into one Series per key value (rows are grouped)."""
    keys = columns[key]
    if keys.size == 0:
        return {}
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], keys.size]
    days = columns["x"].astype("datetime64[D]").astype(np.int64)
    out = {}
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        cut = slice(start, end)
        out[int(keys[start])] = Series(
            days[cut], columns["y"][cut], columns["cl"][cut], columns["lcl"][cut], columns["ucl"][cut],
            columns["part"][cut], columns["sigma_signal"][cut], columns["runs_signal"][cut],
        )
    return out


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def svg(series: Series, x_domain: tuple[int, int], label: str, *, marks: list[int] = (), anhoej: bool = True,
        target: float | None = None) -> str:
    """One small chart; `marks` are days (since the epoch) of adopted changes, drawn as vertical lines."""
    x0, x1 = x_domain
    finite = [a[np.isfinite(a)] for a in (series.y, series.lcl, series.ucl, series.cl)]
    values = np.concatenate(finite) if any(a.size for a in finite) else np.array([0.0, 1.0])
    if target is not None:
        values = np.r_[values, target]
    lo, hi = float(values.min()), float(values.max())
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    span_x = max(x1 - x0, 1)
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM

    def px(day):
        return PAD_LEFT + (np.asarray(day, dtype=float) - x0) / span_x * plot_w

    def py(value):
        return PAD_TOP + (hi - np.asarray(value, dtype=float)) / (hi - lo) * plot_h

    xs, ys = px(series.x), py(series.y)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
             f'height="{HEIGHT}" role="img" aria-label="{escape(label)}" class="spark">']
    parts.append(f'<rect x="{PAD_LEFT}" y="{PAD_TOP}" width="{plot_w}" height="{plot_h}" fill="#fff" '
                 'stroke="#ddd"/>')
    first_day, last_day = (str(np.datetime64(day, "D")) for day in (x0, x1))
    parts.append(f'<g font-family="sans-serif" font-size="9" fill="#444">'
                 f'<text x="{PAD_LEFT - 3}" y="{PAD_TOP + 8}" text-anchor="end">{hi:.3g}</text>'
                 f'<text x="{PAD_LEFT - 3}" y="{HEIGHT - PAD_BOTTOM}" text-anchor="end">{lo:.3g}</text>'
                 f'<text x="{PAD_LEFT}" y="{HEIGHT - 5}">{first_day}</text>'
                 f'<text x="{WIDTH - PAD_RIGHT}" y="{HEIGHT - 5}" text-anchor="end">{last_day}</text></g>')
    if target is not None:
        ty = _fmt(float(py(target)))
        parts.append(f'<line x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{ty}" y2="{ty}" stroke="{MARK}" '
                     'stroke-dasharray="1 3"/>')
    for day in marks:
        if x0 <= day <= x1:
            mx = _fmt(float(px(day)))
            parts.append(f'<line x1="{mx}" x2="{mx}" y1="{PAD_TOP}" y2="{HEIGHT - PAD_BOTTOM}" stroke="{MARK}" '
                         'stroke-dasharray="2 2"/>')
    # Lines in tenths of a unit (integers print faster than floats), scaled back by the group.
    parts.append('<g transform="scale(0.1)" fill="none">')
    boundaries = np.flatnonzero(np.r_[True, series.part[1:] != series.part[:-1], True])
    for start, end in zip(boundaries[:-1].tolist(), boundaries[1:].tolist(), strict=True):
        shifted = anhoej and bool(series.runs_signal[start:end].any())
        for values_, colour, dash in ((series.cl, SIGNAL if shifted else CENTRE, "50 30" if shifted else ""),
                                      (series.ucl, LIMIT, "30 20"), (series.lcl, LIMIT, "30 20")):
            path = _step_path(xs[start:end], py(values_[start:end]))
            if path:
                dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
                parts.append(f'<path d="{path}" stroke="{colour}" stroke-width="10"{dash_attr}/>')
    parts.append(f'<path d="{_line_path(xs, ys)}" stroke="{LINE}" stroke-width="12"/></g>')
    for i in np.flatnonzero(series.sigma_signal & np.isfinite(ys)).tolist():
        x, y = float(xs[i]), float(ys[i])
        parts.append(f'<path d="M{_fmt(x)} {_fmt(y - 4)}L{_fmt(x + 4)} {_fmt(y)}L{_fmt(x)} {_fmt(y + 4)}'
                     f'L{_fmt(x - 4)} {_fmt(y)}Z" fill="{SIGNAL}"/>')
    if not anhoej:
        for i in np.flatnonzero(series.runs_signal & ~series.sigma_signal & np.isfinite(ys)).tolist():
            x, y = float(xs[i]), float(ys[i])
            parts.append(f'<path d="M{_fmt(x)} {_fmt(y - 4)}L{_fmt(x + 4)} {_fmt(y + 3)}L{_fmt(x - 4)} '
                         f'{_fmt(y + 3)}Z" fill="{TREND}"/>')
    parts.append("</svg>")
    return "".join(parts)


def _line_path(xs: np.ndarray, ys: np.ndarray) -> str:
    """A path through the points in tenths of a unit; the pen lifts over missing values."""
    missing = ~np.isfinite(ys)
    if not missing.any():
        return _segment(xs, ys)
    pieces = np.split(np.arange(ys.size), np.flatnonzero(missing))
    return "".join(_segment(xs[i], ys[i]) for i in (piece[~missing[piece]] for piece in pieces) if i.size)


def _segment(xs: np.ndarray, ys: np.ndarray) -> str:
    flat = np.empty(xs.size * 2, dtype=np.int64)
    flat[0::2], flat[1::2] = np.rint(xs * 10), np.rint(ys * 10)
    return "M" + " ".join(map(str, flat.tolist()))


def _step_path(xs: np.ndarray, ys: np.ndarray) -> str:
    """The centre line or a limit: two points when it is level, else a line through every point."""
    if xs.size == 0:
        return ""
    if np.isfinite(ys).all() and (np.abs(ys - ys[0]) < 0.05).all():
        return _segment(xs[[0, -1]], ys[[0, 0]])
    return _line_path(xs, ys)
