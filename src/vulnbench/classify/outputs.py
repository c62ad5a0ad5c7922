"""What a classification run writes: OUT/results.json (NaN as null, so any JSON reader loads
it), OUT/report.md (SecuCoGen's Table 7 and the summary a reader checks first: accuracy,
macro and weighted figures, the confusion matrix and how many answers could not be read) and
OUT/report.html, the same as a page (vulnbench.report.html)."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vulnbench.classify.metrics import classification_summary, per_cwe_table, render_table7
from vulnbench.classify.parse import NOT_VULNERABLE, UNPARSEABLE, VULNERABLE
from vulnbench.errors import VulnbenchError

if TYPE_CHECKING:
    from vulnbench.classify.runner import ClassifyOptions

ANSWER_CHARS = 300  # of each answer kept in results.json (the store holds it whole)
_TITLES = {"detect": "vulnerability detection", "cwe": "CWE-type prediction"}


@dataclass(frozen=True)
class Row:
    """One answer (one sample of one question), parsed."""

    task_id: str
    cwe: str  # the task's primary CWE
    truth: str
    predicted: str
    sample_index: int
    answer: str
    seconds: float


def results_of(opts: ClassifyOptions, dataset: str, choices: Sequence[tuple[str, str]],
               rows: list[Row], rendering: str, skipped: dict[str, int], *, n_items: int,
               new: int, other: Sequence[Row] = ()) -> dict[str, Any]:
    """results.json's content; with n > 1 every sample is one row of the figures. ``other``:
    the other task's answers stored in the same folder, which join Table 7 only."""
    truth = [r.truth for r in rows]
    predicted = [r.predicted for r in rows]
    if opts.task == "detect":
        summary = classification_summary(truth, predicted, [VULNERABLE, NOT_VULNERABLE])
        detect, types = rows, list(other)
    else:
        summary = classification_summary(truth, predicted, [cid for cid, _ in choices])
        detect, types = list(other), rows
    table = per_cwe_table(detect=[(r.cwe, r.truth, r.predicted) for r in detect],
                          types=[(r.truth, r.predicted) for r in types])
    seconds = [r.seconds for r in rows]
    return {
        "task": opts.task, "model": opts.model, "dataset": dataset,
        "rendering": rendering,  # chat, or completion for a model without a chat template
        "n_items": n_items, "n": opts.n, "temperature": opts.temperature,
        "max_tokens": opts.max_tokens, "choices": [list(c) for c in choices],
        "summary": summary, "table7": table,
        "table7_answers": {"detect": len(detect), "cwe": len(types)},
        "items": [{"task_id": r.task_id, "cwe": r.cwe, "truth": r.truth,
                   "predicted": r.predicted, "sample_index": r.sample_index,
                   "answer": r.answer[:ANSWER_CHARS]} for r in rows],
        "seconds_per_item": sum(seconds) / len(seconds) if seconds else math.nan,
        "new_answers": new, "reused_answers": len(rows) - new,
        "skipped": dict(skipped),
    }


def jsonable(value: Any) -> Any:
    """NaN and infinities as None, recursively (JSON has no NaN)."""
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def _figure(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def render_report(results: dict[str, Any]) -> str:
    """report.md: headline, per-class figures, confusion matrix, Table 7, skipped tasks."""
    s = results["summary"]
    unread = s["predicted"].get(UNPARSEABLE, 0)
    lines = [
        f"# Classification: {_TITLES[results['task']]} (SecuCoGen, experiment 6)", "",
        f"Model `{results['model']}` ({results['rendering']} prompts), dataset "
        f"`{results['dataset']}`: {results['n_items']} questions x {results['n']} "
        f"sample(s) = {s['n']} answers.", "",
        "| Accuracy | Macro P | Macro R | Macro F1 | Weighted P | Weighted R | Weighted F1 "
        "| Unparseable |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        "| " + " | ".join([_figure(s["accuracy"]),
                           *(_figure(s[a][f]) for a in ("macro", "weighted")
                             for f in ("precision", "recall", "f1")),
                           f"{unread} of {s['n']}"]) + " |", "",
        "## Per class", "",
        "| Class | Precision | Recall | F1 | Support |", "| --- | ---: | ---: | ---: | ---: |",
        *(f"| {c} | {_figure(v['precision'])} | {_figure(v['recall'])} | {_figure(v['f1'])} "
          f"| {v['support']} |" for c, v in s["classes"].items()), "",
        "## Confusion matrix (rows: truth, columns: answer)", "",
        *_confusion(s["confusion"]), "",
        "## Per CWE (SecuCoGen, Table 7)", "", render_table7(results["table7"]).rstrip(),
    ]
    if results["skipped"]:
        lines += ["", "Skipped: " + "; ".join(f"{n} task(s): {why}"
                                              for why, n in results["skipped"].items()) + "."]
    return "\n".join(lines) + "\n"


def _confusion(confusion: dict[str, Any]) -> list[str]:
    labels: list[str] = confusion["labels"]
    out = ["| truth \\ answer | " + " | ".join(labels) + " |",
           "| --- | " + " | ".join("---:" for _ in labels) + " |"]
    for label, row in zip(labels, confusion["matrix"], strict=False):
        out.append(f"| {label} | " + " | ".join(str(v) for v in row) + " |")
    return out


def write_outputs(out: Path, results: dict[str, Any]) -> None:
    """results.json, report.md and report.html (read from the results.json just written),
    each replaced whole (a reader never sees half of one)."""
    from vulnbench.report.html import write_folder_page  # the page imports the pipeline

    _write(out / "results.json", json.dumps(jsonable(results), indent=2, allow_nan=False) + "\n")
    _write(out / "report.md", render_report(results))
    write_folder_page(out)


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as err:
        raise VulnbenchError(f"cannot write {path} ({err.strerror})") from None
