"""The ``report.html`` sections of a ``vulnbench compare`` folder (kind ``compare``): the
leaderboard with intervals and a bar chart, and per metric the matrix of paired differences
(row minus column, coloured by sign and significance) with the flat list of pairs. They read
``compare.json`` only; importing this module registers them and the page's title."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from vulnbench.compare.model import Comparison, Diff, Row
from vulnbench.compare.render_md import fmt_diff, fmt_p
from vulnbench.report.html import svg
from vulnbench.report.html.folder import describers
from vulnbench.report.html.page import PageInput, Section, sections
from vulnbench.report.html.sections import entry_cell, table

COMPARE = frozenset({"compare"})
# diff cells: green where the row is better (positive; negative for vulnerable@k), red worse;
# strong colour only where the interval excludes 0
CSS = """<style>
.cmp-id{max-width:320px;overflow-wrap:anywhere;text-align:left}
.cmp-lb td{white-space:nowrap}.cmp-lb td .ci{display:block}
.cmp-lb .cmp-id{white-space:normal;min-width:120px;max-width:220px}
.cmp-lb td:nth-child(-n+4),.cmp-lb th:nth-child(-n+4){text-align:left}
.cmp-lb td:nth-child(4){white-space:normal}
.cmp-m td{text-align:center;white-space:nowrap;min-width:52px}
.cmp-m td:first-child{text-align:left;white-space:normal}
td.d-better-sig{background:#9fd8a8}td.d-worse-sig{background:#f2a7a7}
td.d-better{background:#e6f4e8}td.d-worse{background:#fbe6e6}td.d-diag{background:#eee}
td.d-zero{background:#fff}
</style>"""


def comparison_of(page: PageInput) -> Comparison | None:
    doc = page.documents.get("compare.json")
    return None if doc is None else Comparison.model_validate(doc)


def _value(row: Row, metric: str) -> str:
    """A value with its interval, marked like the run page's (``data-condition`` = row id)."""
    return entry_cell(row.metrics.get(metric), metric, row.id, "metrics",
                      row.undefined.get(metric, "undefined"))


def _short(rank: int, text: str, width: int = 22) -> str:
    """A chart label that fits the chart's label column: the rank and the label's end."""
    return f"{rank}. {text if len(text) <= width else '…' + text[-(width - 1):]}"


def leaderboard(page: PageInput) -> str:
    c = comparison_of(page)
    if c is None:
        return ""
    rows = [[str(i), f'<div class="cmp-id">{escape(r.id)}</div>',
             f'<div class="cmp-id">{escape(r.model)}</div>',
             escape(r.style), f"{r.temperature:g}", *(_value(r, m) for m in c.headline)]
            for i, r in enumerate(c.rows, 1)]
    charts = []
    for metric in dict.fromkeys([c.sort, "security_rate"]):
        if not any(metric in r.metrics for r in c.rows):
            continue
        bars = [(_short(i, r.id), *_entry(r, metric)) for i, r in enumerate(c.rows, 1)]
        charts.append(f"<h3>{escape(metric)}</h3>" + svg.bars(
            bars, f"{metric} per condition with {c.confidence:.0%} interval"))
    order = "higher" if c.descending else "lower"
    return (CSS + f"<p>Sorted by <b>{escape(c.sort)}</b>, {order} first. Values from each "
            f"run's results.json (combined static + test verdicts), {c.confidence:.0%} "
            "bootstrap intervals over tasks in brackets. Condition = run folder / condition "
            "label.</p>"
            + '<div class="scroll cmp-lb">'
            + table(["#", "condition", "model", "style", "T", *c.headline], rows) + "</div>"
            + "".join(charts))


def _entry(row: Row, metric: str) -> tuple[float | None, float | None, float | None]:
    e = row.metrics.get(metric)
    return (None, None, None) if e is None else (e.value, e.ci_low, e.ci_high)


def _cell_class(d: Diff) -> str:
    if d.observed is None or d.observed == 0:
        return "d-zero"
    better = d.observed < 0 if d.metric.startswith("vulnerable") else d.observed > 0
    return ("d-better" if better else "d-worse") + ("-sig" if d.significant else "")


def _cell(d: Diff | None, reps: int) -> str:
    if d is None:
        return '<td class="d-diag">-</td>'
    tip = escape(f"{d.row} - {d.column}: {fmt_diff(d)}, p {fmt_p(d, reps)}, "
                 f"{d.tasks} common tasks")
    mark = "*" if d.significant else ""
    text = "n/a" if d.observed is None else f"{d.observed:+.3f}{mark}"
    return (f'<td class="{_cell_class(d)}" title="{tip}"><span data-diff="{escape(d.metric)}" '
            f'data-row="{escape(d.row)}" data-column="{escape(d.column)}">{text}</span></td>')


def _matrix(c: Comparison, metric: str) -> str:
    cells = c.matrix(metric)
    head = "".join(f'<th title="{escape(r.id)}">{i}</th>' for i, r in enumerate(c.rows, 1))
    body = "".join(
        f'<tr><td class="cmp-id">{i}. {escape(a.id)}</td>'
        + "".join(_cell(cells.get((a.id, b.id)), c.reps) for b in c.rows) + "</tr>"
        for i, a in enumerate(c.rows, 1))
    return (f'<div class="scroll"><table class="cmp-m"><thead><tr><th>row - column</th>{head}'
            f"</tr></thead><tbody>{body}</tbody></table></div>")


def differences(page: PageInput) -> str:
    c = comparison_of(page)
    if c is None or len(c.rows) < 2:
        return ""
    out = [f"<p>Paired bootstrap over the common tasks: {c.reps} resamples, seed {c.seed}, "
           f"{c.confidence:.0%} percentile interval, two-sided p (resolution 2/reps). Each "
           "cell is row minus column (columns numbered by leaderboard rank); * and the strong "
           "colour mark an interval that excludes 0; green = the row is better. Hover a cell "
           "for its interval, p and number of common tasks.</p>"]
    for metric in c.diff_metrics:
        flat = [[escape(d.row), escape(d.column), escape(fmt_diff(d)), escape(fmt_p(d, c.reps)),
                 str(d.tasks), "yes" if d.significant else "no"]
                for d in c.diffs if d.metric == metric]
        out += [f"<h3>{escape(metric)}</h3>", _matrix(c, metric),
                f"<details><summary>all {len(flat)} pairs of {escape(metric)}</summary>"
                '<div class="scroll">'
                + table(["row", "column", "row - column [interval]", "p", "common tasks",
                         "significant"], flat) + "</div></details>"]
    return "".join(out)


def runs(page: PageInput) -> str:
    c = comparison_of(page)
    if c is None:
        return ""
    rows = [[escape(r.name), escape(r.path), escape(", ".join(r.models)), str(r.conditions),
             escape(r.vulnbench_version)] for r in c.runs]
    return table(["run", "folder", "models", "conditions", "vulnbench"], rows)


def describe(documents: Mapping[str, Any]) -> tuple[str, str]:
    c = Comparison.model_validate(documents["compare.json"])
    return (f"vulnbench compare: {c.dataset}",
            f"{len(c.runs)} runs, {len(c.rows)} conditions on dataset {c.dataset} "
            f"({c.task_count} tasks, hash {c.dataset_hash[:12]}).")


sections.register("compare-leaderboard")(Section("Leaderboard", COMPARE, leaderboard))
sections.register("compare-differences")(Section("Paired differences", COMPARE, differences))
sections.register("compare-runs")(Section("Compared runs", COMPARE, runs))
describers.register("compare")(describe)
