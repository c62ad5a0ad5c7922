"""``compare.json``: the leaderboard of every condition of several run folders of one dataset,
and the paired bootstrap differences between any two of them. Written by ``vulnbench compare``;
``report.html`` and ``compare.md`` are rendered from it alone."""

from __future__ import annotations

from pydantic import Field

from vulnbench.harden.paired import PairedDiff
from vulnbench.records import Record
from vulnbench.results import MetricEntry


class RunInfo(Record):
    """One compared run folder, as its run spec records it."""

    name: str = Field(description="the folder's name, the prefix of its rows' ids")
    path: str
    dataset: str
    dataset_hash: str
    task_count: int
    models: list[str]
    conditions: int
    vulnbench_version: str


class Row(Record):
    """One condition of one run; its metrics are its run's results.json figures."""

    id: str = Field(description="run folder name + '/' + condition label, unique")
    run: str
    condition: str = Field(description="the condition label in its run")
    model: str
    style: str = Field(description="the prompt strategy (style with its parameters)")
    temperature: float
    tasks: int
    samples: int
    metrics: dict[str, MetricEntry] = Field(
        description="the headline metrics (combined verdicts) with their bootstrap intervals, "
                    "copied from results.json; value null when undefined")
    undefined: dict[str, str] = Field(default_factory=dict,
                                      description="why a null headline value is undefined")


class Diff(Record):
    """``row - column`` for one metric on the two conditions' common tasks (paired bootstrap
    over tasks, :mod:`vulnbench.harden.paired`)."""

    metric: str
    row: str = Field(description="id of the row condition (the minuend)")
    column: str = Field(description="id of the column condition (the subtrahend)")
    observed: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None = Field(description="two-sided bootstrap p; resolution 2 / reps")
    tasks: int = Field(description="common tasks the difference is over")
    dropped: int = Field(default=0, description="common tasks where the metric is undefined "
                                                "for either condition (left out)")
    significant: bool = Field(description="the interval excludes 0")

    @classmethod
    def of(cls, metric: str, row: str, column: str, d: PairedDiff) -> Diff:
        return cls(metric=metric, row=row, column=column, observed=d.observed,
                   ci_low=d.ci_low, ci_high=d.ci_high, p_value=d.p_value, tasks=d.tasks,
                   dropped=d.dropped, significant=d.excludes_zero)

    def flipped(self) -> Diff:
        """``column - row``: the same resamples negated (p and significance unchanged); 0.0 - x
        so that a zero stays 0.0, not -0.0."""
        neg = [None if x is None else 0.0 - x for x in (self.observed, self.ci_high, self.ci_low)]
        return self.model_copy(update={"row": self.column, "column": self.row,
                                       "observed": neg[0], "ci_low": neg[1],
                                       "ci_high": neg[2]})


class Comparison(Record):
    """The whole comparison: rows sorted by ``sort``; ``diffs`` holds each pair of rows once
    per metric, the higher-ranked row minus the lower one (the matrices add the mirror)."""

    dataset: str
    dataset_hash: str
    task_count: int
    runs: list[RunInfo]
    headline: list[str] = Field(description="the metric columns of the leaderboard")
    sort: str = Field(description="the metric the rows are sorted by")
    descending: bool = Field(description="higher first (lower first for vulnerable@k)")
    diff_metrics: list[str]
    reps: int
    seed: int
    confidence: float
    rows: list[Row]
    diffs: list[Diff]

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)

    def matrix(self, metric: str) -> dict[tuple[str, str], Diff]:
        """Every ordered pair (row id, column id) of ``metric``: row minus column."""
        out: dict[tuple[str, str], Diff] = {}
        for d in self.diffs:
            if d.metric == metric:
                out[d.row, d.column] = d
                out[d.column, d.row] = d.flipped()
        return out
