"""Tiny inline SVG charts for ``report.html``: no library and no network, so the page opens
from disk and prints. Values are rates in [0, 1]; ``None`` (an undefined figure) draws no mark
and says "n/a", so a missing value is never drawn as zero."""

from __future__ import annotations

from collections.abc import Sequence
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
            mid = y + ROW / 2 - 1
            body.append(f'<path class="whisker" d="M{_x(low):.1f} {mid}H{_x(high):.1f}'
                        f"M{_x(low):.1f} {mid - 5}v10M{_x(high):.1f} {mid - 5}v10\"/>")
        body.append(f'<text x="{LABEL_W + PLOT_W + 8}" y="{y + 14}">{_fmt(value)}</text>')
    body += _axis(20 + len(rows) * ROW)
    return _svg(LABEL_W + PLOT_W + 60, 40 + len(rows) * ROW, body, title)


def _axis(y: int) -> list[str]:
    out = [f'<path class="axis" d="M{LABEL_W} {y}H{LABEL_W + PLOT_W}"/>']
    for tick in (0.0, 0.5, 1.0):
        out.append(f'<text x="{_x(tick):.1f}" y="{y + 14}" text-anchor="middle">'
                   f"{tick:g}</text>")
    return out


def heatmap(rows: Sequence[str], cols: Sequence[str],
            values: Sequence[Sequence[float | None]], title: str) -> str:
    """A rows x cols grid of rates; darker is higher, an undefined cell is hatched grey."""
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
            fill = "#ddd" if value is None else f"rgba(25,110,60,{0.1 + 0.9 * value:.3f})"
            body.append(f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{ROW - 2}" '
                        f'fill="{fill}"><title>{escape(row)} / {escape(cols[j])}: '
                        f"{_fmt(value)}</title></rect>")
            ink = "#fff" if value is not None and value > 0.6 else "#000"
            body.append(f'<text x="{x + cell / 2 - 1:.0f}" y="{y + 15}" fill="{ink}" '
                        f'text-anchor="middle" class="small">{_fmt(value)}</text>')
    return _svg(LABEL_W + max(1, len(cols)) * cell + 40, top + len(rows) * ROW + 10, body,
                title)


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
