"""``vulnbench compare RUN... --out DIR``: one leaderboard over several run folders of the
same dataset, with paired bootstrap differences between any two conditions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console(stderr=True, markup=False, emoji=False, highlight=False, soft_wrap=True)


def compare(
    runs: Annotated[list[Path], typer.Argument(
        help="run folders written by vulnbench run, all of the same dataset (same tasks)")],
    out: Annotated[Path, typer.Option(help="folder for compare.json, compare.md and "
                                      "report.html")],
    sort: Annotated[str | None, typer.Option(
        help="leaderboard metric (a headline metric, e.g. security_rate); default: the first "
             "headline metric every run has (pass@1)")] = None,
    metric: Annotated[list[str], typer.Option(
        help="metric of the paired differences (repeatable): security_rate or METRIC@k, "
             "e.g. secure@1; default: security_rate, secure@1, pass@1")] = [],  # noqa: B006
    reps: Annotated[int, typer.Option(help="bootstrap resamples")] = 2000,
    seed: Annotated[int, typer.Option(help="bootstrap seed")] = 0,
    confidence: Annotated[float, typer.Option(help="interval level")] = 0.95,
) -> None:
    """Compare every condition (model x prompt style x temperature) of several finished runs
    of one dataset: a leaderboard of the runs' headline metrics with their intervals, and the
    paired bootstrap difference of every two conditions on their common tasks (row minus
    column, with interval and p). Runs of different datasets, or a folder that is not a
    generation run, are refused and nothing is written. See docs/compare.md."""
    from vulnbench.compare import compare_folders, write_outputs
    from vulnbench.compare.outputs import check_out
    from vulnbench.errors import VulnbenchError

    if not 0.0 < confidence < 1.0:
        raise VulnbenchError(f"--confidence must be in (0, 1), got {confidence}")
    check_out(out, runs)
    comparison = compare_folders(runs, sort=sort, metrics=metric, reps=reps, seed=seed,
                                 confidence=confidence)
    paths = write_outputs(comparison, out)
    console.print(f"{len(comparison.rows)} conditions of {len(comparison.runs)} runs on "
                  f"{comparison.dataset} ({comparison.task_count} tasks), by {comparison.sort}:")
    for i, row in enumerate(comparison.rows[:10], 1):
        entry = row.metrics.get(comparison.sort)
        value = "n/a" if entry is None or entry.value is None else f"{entry.value:.3f}"
        ci = ("" if entry is None or entry.ci_low is None or entry.ci_high is None
              else f" [{entry.ci_low:.3f}, {entry.ci_high:.3f}]")
        console.print(f"  {i}. {row.id}  {value}{ci}")
    if len(comparison.rows) > 10:
        console.print(f"  ... {len(comparison.rows) - 10} more in {out / 'compare.md'}")
    console.print("written: " + ", ".join(str(p) for p in paths))
