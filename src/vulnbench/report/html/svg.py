"""Tiny inline SVG charts for ``report.html``: no library and no network, so the page opens
from disk and prints. Values are rates in [0, 1]; ``None`` (an undefined figure) draws no mark
and says "n/a", so a missing value is never drawn as zero."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

ROW = 22  # pixels per bar or heatmap row
LABEL_W = 180
PLOT_W = 320


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    # no xmlns: inline SVG in HTML needs none, and the page names no URL at all
    return (f'<svg width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
            f"<title>{escape(title)}</title>{''.join(body)}</svg>")


def _x(value: float) -> float:
    return LABEL_W + max(0.0, min(1.0, value)) * PLOT_W


def bars(rows: Sequence[tuple[str, float | None, float | None, float | None]],
         title: str) -> str:
    """Horizontal bars (label, value, ci_low, ci_high) on a 0..1 axis, with interval
    whiskers where the interval is known."""
    body = []
    for i, (label, value, low, high) in enumerate(rows):
        y = 20 + i * ROW
        body.append(f'<text x="{LABEL_W - 6}" y="{y + 14}" text-anchor="end">'
                    f"{escape(label)}</text>")
        if value is not None:
            body.append(f'<rect class="bar" x="{LABEL_W}" y="{y + 3}" '
                        f'width="{_x(value) - LABEL_W:.1f}" height="{ROW - 8}"/>')
        if low is not None and high is not None:
            body.append(_whisker(_x(low), _x(high), y))
        body.append(f'<text x="{LABEL_W + PLOT_W + 8}" y="{y + 14}">{_fmt(value)}</text>')
    body += _axis(20 + len(rows) * ROW)
    return _svg(LABEL_W + PLOT_W + 60, 40 + len(rows) * ROW, body, title)


def _whisker(x_low: float, x_high: float, y: float) -> str:
    """An interval drawn across the middle of the bar row at ``y``, with end ticks."""
    mid = y + ROW / 2 - 1
    return (f'<path class="whisker" d="M{x_low:.1f} {mid}H{x_high:.1f}'
            f'M{x_low:.1f} {mid - 5}v10M{x_high:.1f} {mid - 5}v10"/>')


def _axis(y: int) -> list[str]:
    out = [f'<path class="axis" d="M{LABEL_W} {y}H{LABEL_W + PLOT_W}"/>']
    for tick in (0.0, 0.5, 1.0):
        out.append(f'<text x="{_x(tick):.1f}" y="{y + 14}" text-anchor="middle">'
                   f"{tick:g}</text>")
    return out


def heatmap(rows: Sequence[str], cols: Sequence[str],
            values: Sequence[Sequence[float | None]], title: str, *, scale: float = 1.0,
            label: Callable[[float | None], str] = _fmt, hatch: bool = False) -> str:
    """A rows x cols grid of rates; darker is higher, an undefined cell is grey. ``scale``
    is the value of a full cell (100 for percents), ``label`` writes a cell's value, and
    ``hatch`` draws diagonal lines over an undefined cell, so "no data" never reads as a
    pale low value."""
    cell = 44
    top = 90  # room for the rotated column labels
    body = []
    for j, col in enumerate(cols):
        x = LABEL_W + j * cell + cell / 2
        body.append(f'<text transform="translate({x:.0f},{top - 6}) rotate(-45)">'
                    f"{escape(col)}</text>")
    for i, row in enumerate(rows):
        y = top + i * ROW
        body.append(f'<text x="{LABEL_W - 6}" y="{y + 15}" text-anchor="end">'
                    f"{escape(row)}</text>")
        for j, value in enumerate(values[i]):
            x = LABEL_W + j * cell
            rate = None if value is None else value / scale
            fill = "#ddd" if rate is None else f"rgba(25,110,60,{0.1 + 0.9 * rate:.3f})"
            body.append(f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{ROW - 2}" '
                        f'fill="{fill}"><title>{escape(row)} / {escape(cols[j])}: '
                        f"{label(value)}</title></rect>")
            if hatch and rate is None:
                body.append(f'<path d="{_hatch(x, y, cell - 2, ROW - 2)}" stroke="#999" '
                            'stroke-width="1" fill="none"/>')
            ink = "#fff" if rate is not None and rate > 0.6 else "#000"
            body.append(f'<text x="{x + cell / 2 - 1:.0f}" y="{y + 15}" fill="{ink}" '
                        f'text-anchor="middle" class="small">{label(value)}</text>')
    return _svg(LABEL_W + max(1, len(cols)) * cell + 40, top + len(rows) * ROW + 10, body,
                title)


def _hatch(x: float, y: float, w: float, h: float, step: int = 6) -> str:
    """Diagonal strokes (lower left to upper right) clipped to a w x h cell at x, y."""
    parts = []
    for d in range(step, int(w + h), step):
        x0, y0 = x + max(0.0, d - h), y + min(float(d), h)
        x1, y1 = x + min(float(d), w), y + max(0.0, d - w)
        parts.append(f"M{x0:.1f} {y0:.1f}L{x1:.1f} {y1:.1f}")
    return "".join(parts)


def line(points: Sequence[tuple[float, float | None, float | None, float | None]],
         title: str) -> str:
    """A line of (x, value, ci_low, ci_high) with a shaded interval band; x is scaled to the
    points' range (temperatures), y is 0..1."""
    width, height, pad = 420, 200, 36
    xs = [p[0] for p in points]
    lo, hi = (min(xs), max(xs)) if xs else (0.0, 1.0)
    span = (hi - lo) or 1.0

    def px(x: float) -> float:
        return pad + (x - lo) / span * (width - 2 * pad)

    def py(y: float) -> float:
        return height - pad - max(0.0, min(1.0, y)) * (height - 2 * pad)

    banded = [p for p in points if p[2] is not None and p[3] is not None]
    body = []
    if banded:
        upper = [f"{px(x):.1f},{py(h or 0.0):.1f}" for x, _, _, h in banded]
        lower = [f"{px(x):.1f},{py(low or 0.0):.1f}" for x, _, low, _ in reversed(banded)]
        body.append(f'<polygon class="band" points="{" ".join(upper + lower)}"/>')
    known = [(x, v) for x, v, _, _ in points if v is not None]
    if known:
        path = " ".join(f"{px(x):.1f},{py(v):.1f}" for x, v in known)
        body.append(f'<polyline class="line" points="{path}"/>')
        body += [f'<circle cx="{px(x):.1f}" cy="{py(v):.1f}" r="3"><title>T={x:g}: '
                 f"{v:.3f}</title></circle>" for x, v in known]
    body.append(f'<path class="axis" d="M{pad} {pad}V{height - pad}H{width - pad}"/>')
    body += [f'<text x="{px(x):.1f}" y="{height - pad + 14}" text-anchor="middle">{x:g}</text>'
             for x in xs]
    body += [f'<text x="{pad - 4}" y="{py(t) + 4:.1f}" text-anchor="end">{t:g}</text>'
             for t in (0.0, 0.5, 1.0)]
    body.append(f'<text x="{width / 2:.0f}" y="{height - 4}" text-anchor="middle">'
                "temperature</text>")
    return _svg(width, height, body, title)


# series colours of ``lines``: distinguishable in print and for common colour blindness
PALETTE = ("#4a78b5", "#d9822b", "#2e8b57", "#a3161b", "#7b4ea3", "#8c6d31", "#3a9fb0",
           "#c2579a")


def _nice(top: float) -> float:
    """A round axis maximum >= ``top`` (1, 2 or 5 times a power of ten)."""
    if top <= 0:
        return 1.0
    step = 10.0 ** math.floor(math.log10(top))
    return next(m * step for m in (1, 2, 5, 10) if m * step >= top)


def lines(series: Sequence[tuple[str, Sequence[tuple[float, float]]]], title: str,
          x_label: str, y_label: str) -> str:
    """Several lines of (x, y) counts on one chart, each in its colour with a legend; both
    axes start at 0 and end at a round number above the largest value (growth curves: codes
    sampled vs vulnerable codes found)."""
    width, height, left, pad = 460, 230, 44, 30
    legend_w = 170
    xs = [x for _, pts in series for x, _ in pts]
    ys = [y for _, pts in series for _, y in pts]
    x_top, y_top = _nice(max(xs, default=1.0)), _nice(max(ys, default=1.0))

    def px(x: float) -> float:
        return left + x / x_top * (width - left - pad)

    def py(y: float) -> float:
        return height - pad - y / y_top * (height - 2 * pad)

    body = [f'<path class="axis" d="M{left} {pad}V{height - pad}H{width - pad}"/>']
    for t in (0.0, 0.5, 1.0):
        body.append(f'<text x="{px(t * x_top):.1f}" y="{height - pad + 14}" '
                    f'text-anchor="middle">{t * x_top:g}</text>')
        body.append(f'<text x="{left - 4}" y="{py(t * y_top) + 4:.1f}" '
                    f'text-anchor="end">{t * y_top:g}</text>')
    body.append(f'<text x="{(left + width - pad) / 2:.0f}" y="{height - 4}" '
                f'text-anchor="middle">{escape(x_label)}</text>')
    body.append(f'<text transform="translate(12,{height / 2:.0f}) rotate(-90)" '
                f'text-anchor="middle">{escape(y_label)}</text>')
    for i, (name, pts) in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
        last = f"{pts[-1][1]:g} at {pts[-1][0]:g}" if pts else "no points"
        if pts:
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                        f'stroke-width="2"><title>{escape(name)}: {last}</title></polyline>')
        y = pad + i * 18
        body.append(f'<rect x="{width + 8}" y="{y - 9}" width="12" height="10" '
                    f'fill="{colour}"/>')
        body.append(f'<text x="{width + 24}" y="{y}">{escape(name)} ({last})</text>')
    return _svg(width + legend_w, max(height, pad + len(series) * 18 + 10), body, title)


def diff_bars(rows: Sequence[tuple[str, float | None, float | None, float | None, bool]],
              title: str) -> str:
    """Differences (label, diff, ci_low, ci_high, significant) as bars left or right of a
    zero line, with interval whiskers; the axis is symmetric, at least -0.1..0.1. A
    significant bar is solid, one whose interval holds 0 is pale; n/a draws no bar."""
    known = [abs(v) for _, *vals, _ in rows for v in vals if v is not None]
    top = _nice(max([0.1, *known]))
    mid = LABEL_W + PLOT_W / 2

    def px(v: float) -> float:
        return mid + max(-1.0, min(1.0, v / top)) * PLOT_W / 2

    body = []
    for i, (label, value, low, high, significant) in enumerate(rows):
        y = 20 + i * ROW
        body.append(f'<text x="{LABEL_W - 6}" y="{y + 14}" text-anchor="end">'
                    f"{escape(label)}</text>")
        if value is not None:
            x0, x1 = sorted((mid, px(value)))
            fill = "#4a78b5" if significant else "#b8cbe4"
            body.append(f'<rect x="{x0:.1f}" y="{y + 3}" width="{x1 - x0:.1f}" '
                        f'height="{ROW - 8}" fill="{fill}"/>')
        if low is not None and high is not None:
            body.append(_whisker(px(low), px(high), y))
        text = "n/a" if value is None else f"{value:+.3f}" + ("" if significant else " n.s.")
        body.append(f'<text x="{LABEL_W + PLOT_W + 8}" y="{y + 14}">{text}</text>')
    bottom = 20 + len(rows) * ROW
    body.append(f'<path class="axis" d="M{LABEL_W} {bottom}H{LABEL_W + PLOT_W}'
                f'M{mid} 16V{bottom}"/>')
    for tick in (-top, 0.0, top):
        body.append(f'<text x="{px(tick):.1f}" y="{bottom + 14}" text-anchor="middle">'
                    f"{tick:+g}</text>")
    return _svg(LABEL_W + PLOT_W + 80, bottom + 22, body, title)
