"""The sections of ``report.html`` for a defence comparison (``vulnbench harden compare``: its
comparison.json is :class:`Comparison`). The table shows comparison.md's figures; each value a
test or reader may check sits in an element with ``data-harden`` (value, low, high, diff,
p), ``data-row`` (the defence) and ``data-col`` (the column)."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from vulnbench.harden.compare import _DEFINITIONS, STATIC_RATE, Comparison, Figure
from vulnbench.report.html import svg
from vulnbench.report.html.folder import describers
from vulnbench.report.html.page import PageInput, Section, sections
from vulnbench.report.html.sections import table

HARDEN = frozenset({"harden"})
CHARTED = ("security_rate", STATIC_RATE)


def _comparison(docs: Mapping[str, Any]) -> Comparison:
    return Comparison.model_validate(docs.get("comparison.json"))


def _num(kind: str, value: float | None, row: str, col: str, signed: bool = False) -> str:
    text = "n/a" if value is None else f"{value:+.3f}" if signed else f"{value:.3f}"
    return (f'<span data-harden="{kind}" data-row="{escape(row)}" data-col="{escape(col)}">'
            f"{text}</span>")


def p_text(p: float | None, reps: int) -> str:
    """p as comparison.md writes it: 0 is "below the resolution 2 / reps"."""
    return "n/a" if p is None else f"&lt;{2 / reps:.2g}" if p == 0 else f"{p:.3f}"


def _cell(fig: Figure, row: str, col: str, reps: int) -> str:
    if fig.value is None:
        return (_num("value", None, row, col)
                + (f' <span class="note">{escape(fig.note)}</span>' if fig.note else ""))
    out = (_num("value", fig.value, row, col) + ' <span class="ci">['
           + _num("low", fig.ci_low, row, col) + ", " + _num("high", fig.ci_high, row, col)
           + "]</span>")
    d = fig.diff
    if d is None:
        return out
    if d.observed is None:
        return out + f'<br><span class="note">diff {_num("diff", None, row, col)}</span>'
    mark = ('<strong class="sig" title="the interval excludes 0">significant</strong>'
            if d.excludes_zero else '<span class="note">n.s.</span>')
    return (out + "<br>diff " + _num("diff", d.observed, row, col, signed=True)
            + f' <span class="ci">[{_fmt(d.ci_low)}, {_fmt(d.ci_high)}]</span> p = '
            + f'<span data-harden="p" data-row="{escape(row)}" data-col="{escape(col)}">'
            + f"{p_text(d.p_value, reps)}</span> {mark}")


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:+.3f}"


def defences(page: PageInput) -> str:
    """One row per defence: each figure with its interval and its paired difference."""
    try:
        c = _comparison(page.documents)
    except ValidationError as err:  # a comparison.json of another vulnbench version
        return f'<p class="note">comparison.json does not parse: {escape(str(err))}</p>'
    rows = [[escape(r.strategy), str(r.tasks), f"{r.valid} / {r.samples}"]
            + [_cell(r.figures[col], r.strategy, col, c.reps) if col in r.figures else "-"
               for col in c.columns] for r in c.rows]
    level = f"{c.confidence:.0%}"
    return (f"<p>Each figure: estimate [{level} percentile bootstrap over tasks, {c.reps} "
            f"reps, seed {c.seed}]; below it, <em>diff</em>: this defence minus the baseline "
            f"(<code>{escape(c.baseline)}</code>, same model and temperature) on their common "
            "tasks, paired bootstrap over tasks, with its interval and two-sided p. "
            "<strong>significant</strong>: the interval excludes 0; <em>n.s.</em>: it "
            "holds 0.</p>"
            + '<div class="scroll">'
            + table(["defence", "tasks", "valid / samples", *c.columns], rows) + "</div>")


def charts(page: PageInput) -> str:
    """The security rates with their intervals, and their paired differences to the
    baseline (solid: significant)."""
    try:
        c = _comparison(page.documents)
    except ValidationError:  # the table says why
        return ""
    out = []
    for col in CHARTED:
        if not any(col in r.figures for r in c.rows):
            continue
        figs = [(r.strategy, r.figures.get(col, Figure(value=None))) for r in c.rows]
        out += [f"<h3>{escape(col)} per defence</h3>",
                svg.bars([(name, f.value, f.ci_low, f.ci_high) for name, f in figs],
                         f"{col} per defence with {c.confidence:.0%} interval")]
        diffs = [(name, f.diff) for name, f in figs if f.diff is not None]
        if diffs:
            out += [f"<h3>{escape(col)}: difference to {escape(c.baseline)}</h3>",
                    svg.diff_bars([(name, d.observed, d.ci_low, d.ci_high, d.excludes_zero)
                                   for name, d in diffs],
                                  f"{col} minus the baseline's, paired {c.confidence:.0%} "
                                  "interval")]
    return "".join(out)


def notes(page: PageInput) -> str:
    """What each column means, the comparison's notes, and where its two runs are."""
    try:
        c = _comparison(page.documents)
    except ValidationError:
        return ""
    defs = "".join(f"<li><strong>{escape(col)}</strong>: "
                   f"{escape(_DEFINITIONS.get(col.split('@')[0], ''))}</li>" for col in c.columns)
    runs = [("security run", c.security_dir), ("HumanEval run", c.humaneval_dir)]
    where = "".join(f"<li>{name}: {escape(d)}{_link(page.folder, d)}</li>"
                    for name, d in runs if d)
    extra = "".join(f"<li>{escape(n)}</li>" for n in c.notes)
    return (f"<ul>{defs}</ul><p>Runs (each has its own report.html):</p><ul>{where}</ul>"
            f"<p>De-duplication of the security run: {escape(c.dedup or 'unknown')}; "
            f"k: {', '.join(map(str, c.ks))}.</p>"
            + (f"<p>Notes:</p><ul>{extra}</ul>" if extra else ""))


def _link(folder: Path | None, run_dir: str) -> str:
    """A relative link to a run's page when it sits in a folder below this page's."""
    if folder is None:
        return ""
    page = Path(run_dir) / "report.html"
    try:
        rel = page.resolve().relative_to(folder.resolve())
    except ValueError:
        return ""
    return f' (<a href="{escape(rel.as_posix())}">its page</a>)' if page.is_file() else ""


def describe(docs: Mapping[str, Any]) -> tuple[str, str]:
    """Title and meta line of a comparison folder's page."""
    found = docs.get("comparison.json")
    raw: dict[str, Any] = found if isinstance(found, dict) else {}
    rows = [r for r in raw.get("rows", []) if isinstance(r, dict)]
    models = ", ".join(dict.fromkeys(
        str(r.get("condition", "")).removesuffix(f"/{r.get('strategy', '')}") for r in rows))
    defences = ", ".join(str(r.get("strategy", "?")) for r in rows)
    return (f"vulnbench defence comparison: {models or '?'}",
            f"Defences {defences or '-'}; baseline {raw.get('baseline', '?')}; "
            f"{raw.get('confidence', 0.95):.0%} bootstrap, {raw.get('reps', '?')} reps.")


describers.register("harden")(describe)
sections.register("harden-defences")(Section("Defence comparison", HARDEN, defences))
sections.register("harden-charts")(Section("Security rate per defence", HARDEN, charts))
sections.register("harden-notes")(Section("Columns, runs and notes", HARDEN, notes))
