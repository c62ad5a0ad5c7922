"""A repair run's figures, read from its run store alone (so they are re-made without a model
call): per condition the outcome shares, SEC@k, secure@k, func-sec@k and CodeBLEU@k with
bootstrap intervals over tasks, and the per-CWE table of SecuCoGen Table 6's shape. Written to
``DIR/repair.json`` and ``DIR/repair.md`` beside the run's own ``results.json``."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from vulnbench.errors import RunStoreError
from vulnbench.metrics import codebleu as cb
from vulnbench.pipeline.rescore import ScoredCondition, load_scoring
from vulnbench.repair.outcomes import (
    OUTCOMES,
    TaskRepairs,
    mean_ci,
    outcome_counts,
    per_task_values,
)
from vulnbench.results import finite
from vulnbench.store import RunStore

METRICS = ("SEC", "secure", "func-sec", "CodeBLEU")


def _gather(store: RunStore, cond: ScoredCondition, tasks: dict[str, Any]) -> list[TaskRepairs]:
    """The condition's scored samples per task, in sample-index order (streamed)."""
    keys = set(cond.keys)
    per_task: dict[str, TaskRepairs] = {}
    for sample in store.iter_samples(cond.condition.label):
        task = tasks.get(sample.task_id)
        if sample.key not in keys or task is None:
            continue
        per_task.setdefault(task.id, TaskRepairs(task)).add(sample, store.get_verdict(sample.key))
    return [per_task[t] for t in tasks if t in per_task]


def _codebleu(repairs: Sequence[TaskRepairs], ks: Sequence[int]) -> dict[str, dict[int, float]]:
    return {t.task.id: cb.codebleu_at_k(t.codes, t.task.secure_reference, t.task.language, ks)
            for t in repairs if t.task.secure_reference.strip()}


def _entry(values: Sequence[float], reps: int) -> dict[str, float | None]:
    point, low, high = mean_ci(values, reps)
    return {"value": finite(point), "ci_low": finite(low), "ci_high": finite(high)}


def _per_cwe(repairs: Sequence[TaskRepairs], ks: Sequence[int],
             bleu: dict[str, dict[int, float]] | None) -> list[dict[str, Any]]:
    groups: dict[str, list[TaskRepairs]] = {}
    for t in repairs:
        groups.setdefault(t.task.cwe[0] if t.task.cwe else "-", []).append(t)
    rows = []
    for cwe in sorted(groups, key=lambda c: (len(c), c)):
        group = groups[cwe]
        row: dict[str, Any] = {"cwe": cwe, "tasks": len(group),
                               "repaired": sum(t.outcomes.count("repaired") for t in group),
                               "samples": sum(t.n for t in group)}
        for k in ks:
            for metric in ("SEC", "CodeBLEU"):
                if metric == "CodeBLEU" and bleu is None:
                    continue
                values = [v for v in per_task_values(group, metric, k, bleu)
                          if not math.isnan(v)]
                row[f"{metric}@{k}"] = finite(sum(values) / len(values)) if values else None
        rows.append(row)
    return rows


def condition_figures(store: RunStore, cond: ScoredCondition, tasks: dict[str, Any],
                      ks: Sequence[int], reps: int = 1000) -> dict[str, Any]:
    repairs = _gather(store, cond, tasks)
    counts = outcome_counts(repairs)
    total = sum(counts.values())
    reason = cb.available()
    bleu = None if reason else _codebleu(repairs, ks)
    metrics: dict[str, Any] = {}
    for k in ks:
        for metric in METRICS:
            if metric == "CodeBLEU" and bleu is None:
                continue
            metrics[f"{metric}@{k}"] = _entry(per_task_values(repairs, metric, k, bleu), reps)
    c = cond.condition
    return {
        "condition": c.label, "model": c.model, "temperature": c.temperature, "style": c.style,
        "explain": c.style.endswith("-explain"), "tasks": len(repairs), "samples": total,
        "outcomes": dict(counts),
        "shares": {o: finite(counts[o] / total) if total else None for o in OUTCOMES},
        "metrics": metrics, "codebleu_unavailable": reason or None,
        "per_cwe": _per_cwe(repairs, ks, bleu),
        "per_task": [{"task_id": t.task.id, "cwe": t.task.cwe, "outcomes": t.outcomes,
                      "codebleu": ({str(k): finite(v) for k, v in bleu[t.task.id].items()}
                                   if bleu and t.task.id in bleu else None)}
                     for t in repairs],
    }


def repair_results(store: RunStore, reps: int = 1000) -> dict[str, Any]:
    """Every repair condition of the store's last scored run."""
    loaded = load_scoring(store)
    if loaded is None:
        raise RunStoreError(f"{store.path} has no scored run: run vulnbench repair first")
    record, task_list = loaded
    tasks = {t.id: t for t in task_list}
    ks = sorted(set(record.options.ks))
    conditions = [condition_figures(store, c, tasks, ks, reps) for c in record.conditions
                  if c.condition.style.startswith("repair")]
    return {"dataset": record.dataset, "ks": ks, "conditions": conditions}


def _pct(value: float | None, scale: float = 1.0) -> str:
    return "n/a" if value is None else f"{value * scale:.2f}" if scale != 1.0 else f"{value:.2f}"


def _shown(entry: dict[str, float | None], scale: float = 1.0) -> str:
    if entry["value"] is None:
        return "n/a"
    return f"{_pct(entry['value'], scale)} [{_pct(entry['ci_low'], scale)}, " \
           f"{_pct(entry['ci_high'], scale)}]"


def render_markdown(results: dict[str, Any]) -> str:
    ks = results["ks"]
    lines = [f"# Repair: {results['dataset']}", "",
             "Outcome shares of all samples (unchanged: the answer returned the insecure input; "
             "never counted as a repair).", "",
             "| condition | tasks | samples | " + " | ".join(OUTCOMES) + " |",
             "|---|---|---|" + "---|" * len(OUTCOMES)]
    for c in results["conditions"]:
        shares = " | ".join(f"{c['outcomes'][o]} ({_pct(c['shares'][o])})" for o in OUTCOMES)
        lines.append(f"| {c['condition']} | {c['tasks']} | {c['samples']} | {shares} |")
    names = [f"{m}@{k}" for k in ks for m in METRICS]
    lines += ["", "Figures averaged over tasks, 95% bootstrap interval over tasks; CodeBLEU in "
              "percent against the secure reference.", "",
              "| condition | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for c in results["conditions"]:
        cells = [_shown(c["metrics"][n], 100.0 if n.startswith("CodeBLEU") else 1.0)
                 if n in c["metrics"] else "n/a" for n in names]
        lines.append(f"| {c['condition']} | " + " | ".join(cells) + " |")
        if c["codebleu_unavailable"]:
            lines.append(f"\nCodeBLEU not computed: {c['codebleu_unavailable']}\n")
    k = max(ks)
    for c in results["conditions"]:
        lines += ["", f"## {c['condition']}: per CWE (SecuCoGen Table 6's shape)", "",
                  f"| CWE | tasks | repaired / samples | CoB@{k} | SEC@{k} |",
                  "|---|---|---|---|---|"]
        for row in c["per_cwe"]:
            bleu = row.get(f"CodeBLEU@{k}")
            lines.append(f"| {row['cwe']} | {row['tasks']} | {row['repaired']}/{row['samples']}"
                         f" | {_pct(bleu, 100.0)} | {_pct(row.get(f'SEC@{k}'))} |")
    return "\n".join(lines) + "\n"


def write_repair_outputs(out: Path, echo: Callable[[str], None] = print) -> dict[str, Any]:
    """``repair.json`` and ``repair.md`` of the run folder ``out``, from its store."""
    store = RunStore.read_only(out / "run.sqlite")
    try:
        results = repair_results(store)
    finally:
        store.close()
    (out / "repair.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (out / "repair.md").write_text(render_markdown(results), encoding="utf-8")
    return results
