"""``compare.md``: the leaderboard, then per metric a matrix of paired differences (row minus
column) and the flat list of every pair, all read from a :class:`Comparison`."""

from __future__ import annotations

from collections.abc import Sequence

from vulnbench.compare.model import Comparison, Diff, Row
from vulnbench.report.explain import table
from vulnbench.report.markdown import fmt_ci

__all__ = ["fmt_diff", "fmt_p", "render_markdown"]


def _num(x: float | None, signed: bool = False) -> str:
    if x is None:
        return "n/a"
    return f"{x:+.3f}" if signed else f"{x:.3f}"


def fmt_p(d: Diff, reps: int) -> str:
    """p with its resolution: a bootstrap p of 0 means below 2 / reps."""
    if d.p_value is None:
        return "n/a"
    return f"<{2 / reps:.2g}" if d.p_value == 0 else f"{d.p_value:.3f}"


def fmt_diff(d: Diff) -> str:
    if d.observed is None:
        return "n/a"
    return f"{d.observed:+.3f} [{_num(d.ci_low, True)}, {_num(d.ci_high, True)}]"


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """The report's Markdown table, with a ``|`` inside a cell (a label) escaped."""
    return table(list(head), [[c.replace("|", "\\|") for c in r] for r in rows])


def leaderboard_rows(c: Comparison) -> list[list[str]]:
    return [[str(i), r.id, r.model, r.style, f"{r.temperature:g}",
             *(fmt_ci(r.metrics.get(m)) for m in c.headline)]
            for i, r in enumerate(c.rows, 1)]


def _matrix(c: Comparison, metric: str, rows: Sequence[Row]) -> list[str]:
    cells = c.matrix(metric)
    short = [str(i) for i in range(1, len(rows) + 1)]
    body = []
    for i, a in enumerate(rows):
        line = [f"{short[i]}. {a.id}"]
        for b in rows:
            d = cells.get((a.id, b.id))
            line.append("" if d is None else
                        (_num(d.observed, True) + ("*" if d.significant else "")))
        body.append(line)
    return _table(["row - column", *short], body)


def render_markdown(c: Comparison) -> str:
    level = f"{c.confidence:.0%}"
    runs = ", ".join(f"`{r.name}` ({r.conditions} condition{'' if r.conditions == 1 else 's'})"
                     for r in c.runs)
    out = [f"# vulnbench compare: {c.dataset}", "",
           f"Dataset `{c.dataset}` ({c.task_count} tasks, hash `{c.dataset_hash[:12]}`); "
           f"runs {runs}.", "",
           f"## Leaderboard (sorted by {c.sort}, {'higher' if c.descending else 'lower'} "
           "first)", ""]
    out += _table(["#", "condition", "model", "style", "T", *c.headline],
                  leaderboard_rows(c))
    out += ["", f"Values: results.json of each run (combined static + test verdicts), "
            f"estimate [{level} bootstrap interval over tasks]. Condition = run folder / "
            "condition label.", ""]
    for metric in c.diff_metrics:
        out += [f"## Paired differences: {metric}", ""]
        out += _matrix(c, metric, c.rows)
        out += ["", "Row minus column; numbers are leaderboard ranks; * = the interval "
                "excludes 0.", ""]
        flat = [[d.row, d.column, fmt_diff(d), fmt_p(d, c.reps), str(d.tasks),
                 "yes" if d.significant else "no"]
                for d in c.diffs if d.metric == metric]
        out += _table(["row", "column", "row - column [interval]", "p", "common tasks",
                       "significant"], flat)
        out.append("")
    out += [f"Differences: paired bootstrap over the common tasks ({c.reps} resamples, seed "
            f"{c.seed}, {level} percentile interval, two-sided p with resolution 2/reps); "
            "security_rate is pooled (secure / valid), the @k metrics are per-task means; "
            "tasks where a metric is undefined for either condition are left out."]
    return "\n".join(out) + "\n"
