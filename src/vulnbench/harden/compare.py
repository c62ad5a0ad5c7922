"""The defence comparison: one row per prompting defence of a security run (and its HumanEval
run), each figure with its bootstrap interval and its paired difference to the baseline.

Counts come from what ``vulnbench report`` scores (:func:`load_scoring` then
:func:`count_condition`, combined view), so no verdict logic lives here. The security rate is
SecCoder's: secure share of valid codes; a duplicate sample (``--dedup exact``) has status
``duplicate``, not ``ok``, so it is not valid and the rate is over de-duplicated codes.
Conditions of the two folders are matched by strategy (the prompt style with its parameters)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from pydantic import Field

from vulnbench.errors import RunStoreError
from vulnbench.harden.paired import PairedDiff, paired_metric_diff, paired_security_rate_diff
from vulnbench.metrics.aggregate import (
    Metric,
    TaskCounts,
    bootstrap_ci,
    bootstrap_security_rate_ci,
    mean_metric,
    security_rate_of,
    undefined_reasons,
)
from vulnbench.pipeline.rescore import ReadLock, ScoredCondition, load_scoring
from vulnbench.pipeline.score import blind_tasks, count_condition
from vulnbench.records import Record
from vulnbench.store import RunStore

__all__ = ["Comparison", "Figure", "Row", "compare_runs", "folder_counts", "render_markdown"]

HUMANEVAL = "humaneval_pass@1"
STATIC_RATE = "static_security_rate"


class Figure(Record):
    """A value with its interval and its paired difference to the baseline (``None`` in the
    baseline's own row); ``note`` says why a figure is n/a."""

    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    diff: PairedDiff | None = None
    note: str = ""


class Row(Record):
    """One defence: its security-run condition, the HumanEval condition it was matched to."""

    strategy: str
    condition: str
    humaneval_condition: str | None = None
    tasks: int
    samples: int
    valid: int
    secure: int
    figures: dict[str, Figure]


class Comparison(Record):
    security_dir: str
    humaneval_dir: str | None = None
    baseline: str
    dedup: str = ""
    ks: list[int]
    reps: int
    seed: int
    confidence: float
    columns: list[str]
    rows: list[Row]
    notes: list[str] = Field(default_factory=list)

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)


def _num(x: float) -> float | None:
    return None if math.isnan(x) else x


def _open_read_only(folder: Path) -> RunStore:
    """Comparing must never write a run folder."""
    return RunStore.read_only(folder / "run.sqlite")


Counted = tuple[ScoredCondition, list[TaskCounts], int, list[TaskCounts]]


def folder_counts(folder: Path) -> tuple[dict[str, Counted], str]:
    """Per strategy label: (condition, per-task counts of the combined view, samples, counts of
    the static view), and the
    run's dedup setting. Only a finished run has what it scored in its store."""
    with ReadLock(folder):
        store = _open_read_only(folder)
        try:
            loaded = load_scoring(store)
            if loaded is None:
                raise RunStoreError(f"{folder}: no finished run scored there yet (run it, or "
                                    "`vulnbench report` it, first)")
            record, tasks = loaded
            spec = store.load_spec()
            by_id = {t.id: t for t in tasks}
            blind = frozenset(b.task for b in blind_tasks(
                tasks, record.options.analyzers, record.options.tests_run))
            out: dict[str, Counted] = {}
            for cond in record.conditions:
                counts = count_condition(store, cond.condition.label, by_id, set(cond.keys),
                                         blind)
                out[cond.condition.label] = (cond, counts.per_view["combined"], counts.total,
                                             counts.per_view["static"])
        finally:
            store.close()
    return out, spec.dedup if spec else ""


def _key(cond: ScoredCondition) -> tuple[str, float]:
    return cond.condition.model, cond.condition.temperature


def _partner(cond: ScoredCondition, strategy: str,
             pool: Sequence[ScoredCondition]) -> ScoredCondition | None:
    """The condition of ``pool`` with ``strategy`` and the same model and temperature, else the
    only one with that strategy."""
    same = [c for c in pool if c.strategy == strategy]
    exact = [c for c in same if _key(c) == _key(cond)]
    return exact[0] if exact else same[0] if len(same) == 1 else None


def _figure(tasks: list[TaskCounts], base: list[TaskCounts] | None, metric: Metric | None,
            k: int, reps: int, confidence: float, seed: int) -> Figure:
    if metric is None:
        low, high = bootstrap_security_rate_ci(tasks, reps=reps, confidence=confidence,
                                               seed=seed)
        value = security_rate_of(tasks)
        diff = None if base is None else paired_security_rate_diff(
            base, tasks, reps=reps, confidence=confidence, seed=seed)
    else:
        low, high = bootstrap_ci(tasks, metric, k, reps=reps, confidence=confidence, seed=seed)
        value = mean_metric(tasks, metric, k)
        diff = None if base is None else paired_metric_diff(
            base, tasks, metric, k, reps=reps, confidence=confidence, seed=seed)
    note = ""
    if math.isnan(value):
        key = "security_rate" if metric is None else f"{metric}@{k}"
        note = undefined_reasons(tasks, [k]).get(key, "undefined")
    return Figure(value=_num(value), ci_low=_num(low), ci_high=_num(high), diff=diff, note=note)


def compare_runs(security_dir: Path, humaneval_dir: Path | None = None, baseline: str = "code",
                 ks: Sequence[int] = (1,), reps: int = 2000, seed: int = 0,
                 confidence: float = 0.95) -> Comparison:
    """The comparison of every condition of ``security_dir`` against the condition of style
    ``baseline`` (same model and temperature), with HumanEval pass@1 from ``humaneval_dir``'s
    condition of the same strategy where there is one."""
    sec, dedup = folder_counts(Path(security_dir))
    conds = [c for c, _, _, _ in sec.values()]
    if not any(c.strategy == baseline for c in conds):
        raise ValueError(f"{security_dir}: no condition of baseline strategy {baseline!r} "
                         f"(there: {', '.join(sorted({c.strategy for c in conds}))})")
    he = folder_counts(Path(humaneval_dir))[0] if humaneval_dir is not None else {}
    he_conds = [c for c, _, _, _ in he.values()]
    metrics: list[tuple[str, Metric | None, int]] = [("security_rate", None, 1)]
    per_task: tuple[Metric, ...] = ("secure", "func_sec", "pass")
    metrics += [(f"{metric}@{k}", metric, k) for metric in per_task for k in ks]
    rows: list[Row] = []
    for label, (cond, tasks, samples, static) in sec.items():
        base_cond = _partner(cond, baseline, conds)
        paired = base_cond is not None and base_cond is not cond
        base = sec[base_cond.condition.label][1] if paired and base_cond else None
        figures = {name: _figure(tasks, base, metric, k, reps, confidence, seed)
                   for name, metric, k in metrics}
        # SecCoder's own definition: static analysis alone judges the valid codes
        static_base = sec[base_cond.condition.label][3] if paired and base_cond else None
        figures[STATIC_RATE] = _figure(static, static_base, None, 1, reps, confidence, seed)
        he_cond = _partner(cond, cond.strategy, he_conds) if he_conds else None
        if he_cond is None:
            figures[HUMANEVAL] = Figure(value=None, note="not run on HumanEval"
                                        if humaneval_dir else "no HumanEval run given")
        else:
            he_base = _partner(he_cond, baseline, he_conds)
            he_tasks = he[he_cond.condition.label][1]
            he_ref = (None if he_base is None or he_base is he_cond
                      else he[he_base.condition.label][1])
            figures[HUMANEVAL] = _figure(he_tasks, he_ref, "pass", 1, reps, confidence, seed)
        rows.append(Row(strategy=cond.strategy, condition=label,
                        humaneval_condition=he_cond.condition.label if he_cond else None,
                        tasks=len(tasks), samples=samples, valid=sum(t.valid for t in tasks),
                        secure=sum(t.secure for t in tasks), figures=figures))
    rows.sort(key=lambda r: r.strategy != baseline)  # baseline first, then the run's order
    notes = [] if dedup == "exact" else [
        f"the security run used --dedup {dedup or 'unknown'}: SecCoder's rate is over "
        "de-duplicated codes (--dedup exact)"]
    return Comparison(security_dir=str(security_dir),
                      humaneval_dir=None if humaneval_dir is None else str(humaneval_dir),
                      baseline=baseline, dedup=dedup, ks=list(ks), reps=reps, seed=seed,
                      confidence=confidence,
                      columns=[metrics[0][0], STATIC_RATE, *(m for m, _, _ in metrics[1:]),
                               HUMANEVAL],
                      rows=rows, notes=notes)


def _fmt(x: float | None, signed: bool = False) -> str:
    if x is None:
        return "n/a"
    return f"{x:+.2f}" if signed else f"{x:.2f}"


def _cell(fig: Figure, reps: int) -> str:
    if fig.value is None:
        return f"n/a ({fig.note})" if fig.note else "n/a"
    text = f"{_fmt(fig.value)} [{_fmt(fig.ci_low)}, {_fmt(fig.ci_high)}]"
    d = fig.diff
    if d is None:
        return text
    if d.observed is None:
        return f"{text}<br>diff n/a"
    p = ("=n/a" if d.p_value is None else f"<{2 / reps:.2g}" if d.p_value == 0
         else f"={d.p_value:.3f}")
    mark = "" if d.excludes_zero else " (n.s.)"
    return (f"{text}<br>diff {_fmt(d.observed, True)} [{_fmt(d.ci_low, True)}, "
            f"{_fmt(d.ci_high, True)}] p{p}{mark}")


_DEFINITIONS = {
    "security_rate": "secure / valid codes, pooled over tasks, secure by the combined verdict "
                     "(no finding and, where the task has one, its exploit test resisted)",
    "static_security_rate": "the same with static analysis alone judging (SecCoder's "
                            "definition, our analyzers in CodeQL's place)",
    "secure": "chance that all k drawn samples are secure, mean over tasks",
    "func_sec": "chance that one of k samples is functional and secure (tasks with a test)",
    "pass": "chance that one of k samples passes the functional test (tasks with a test)",
    "humaneval_pass": "HumanEval pass@1 of the same strategy (the utility cost)",
}


def render_markdown(comparison: Comparison) -> str:
    """One table: ``value [lo, hi]`` and, below it, ``diff +x.xx [lo, hi] p=..`` against the
    baseline; ``(n.s.)`` marks a difference whose interval contains 0."""
    c = comparison
    head = ["defence", "tasks", "valid / samples", *c.columns]
    # the model and temperature, as the conditions' labels read before the strategy
    models = ", ".join(dict.fromkeys(r.condition.removesuffix(f"/{r.strategy}")
                                     for r in c.rows))
    lines = [f"## Defence comparison: {models} (baseline: {c.baseline})", "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in c.rows:
        cells = [r.strategy, str(r.tasks), f"{r.valid} / {r.samples}",
                 *(_cell(r.figures[col], c.reps) for col in c.columns)]
        lines.append("| " + " | ".join(cells) + " |")
    level = f"{c.confidence:.0%}"
    defs = "; ".join(f"**{col}**: {_DEFINITIONS[col.split('@')[0]]}" for col in c.columns)
    lines += ["", f"Columns: {defs}. Values: estimate [{level} percentile bootstrap over tasks, "
              f"{c.reps} reps, seed {c.seed}]. diff: this row minus the baseline "
              f"(`{c.baseline}`, same model and temperature) on their common tasks, paired "
              "bootstrap over tasks, two-sided p (resolution 2/reps); **(n.s.)** = no "
              "significant difference (the interval contains 0)."]
    lines += [f"Note: {n}" for n in c.notes]
    return "\n".join(lines) + "\n"
