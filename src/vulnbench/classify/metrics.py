"""Classification figures for models asked about code (SecuCoGen experiment 6, Table 7).

scikit-learn computes every figure, so they match what readers of the paper would compute.
Answers outside the true classes (UNPARSEABLE, OTHER) are simply wrong: they lower recall and
accuracy and never raise precision; they show up as extra confusion-matrix columns.

Undefined figures (a class never predicted, a class with no support, no rows) are NaN, as
everywhere in vulnbench; whoever writes the JSON maps NaN to ``null``. Macro and weighted
averages are scikit-learn's, which skip classes whose figure is undefined (NaN).
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from vulnbench.classify.parse import OTHER, UNPARSEABLE
from vulnbench.records import normalize_cwe

_FIGURES = ("precision", "recall", "f1")
_COLUMNS = ("detect_accuracy", "detect_n", "precision", "recall", "f1", "support")
# a CWE the type task never had as truth: undefined figures, no support count
_NO_TYPE_ROWS: dict[str, Any] = {**dict.fromkeys(_FIGURES, math.nan), "support": None}
_HEADINGS = ("CWE", "Detection acc.", "n", "Precision", "Recall", "F1", "Support")


def _float(value: Any) -> float:
    """A plain Python float (numpy scalars are not JSON-serializable by json)."""
    return float(value)


def _prf(
    truth: Sequence[str], predicted: Sequence[str], labels: list[str], average: str | None
) -> tuple[Any, Any, Any, Any]:
    with warnings.catch_warnings():  # undefined figures are NaN by design, not a warning
        warnings.simplefilter("ignore")
        result: tuple[Any, Any, Any, Any] = precision_recall_fscore_support(
            list(truth), list(predicted), labels=labels, average=average, zero_division=np.nan
        )
    return result


def _extra_classes(predicted: Sequence[str], labels: list[str]) -> list[str]:
    """Predicted-only classes in a fixed order: UNPARSEABLE, OTHER, then the rest sorted."""
    extra = set(predicted) - set(labels)
    known = [c for c in (UNPARSEABLE, OTHER) if c in extra]
    return known + sorted(extra - set(known))


def _check(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> list[str]:
    if len(truth) != len(predicted):
        raise ValueError(f"{len(truth)} true classes but {len(predicted)} predictions")
    label_list = list(labels)
    if len(set(label_list)) != len(label_list):
        raise ValueError(f"labels must be unique, got {label_list!r}")
    unknown = sorted(set(truth) - set(label_list))
    if unknown:
        raise ValueError(f"true classes {unknown!r} are not among labels {label_list!r}")
    return label_list


def _averages(
    truth: Sequence[str], predicted: Sequence[str], labels: list[str], average: str
) -> dict[str, float]:
    if not truth:
        return dict.fromkeys(_FIGURES, math.nan)
    p, r, f, _ = _prf(truth, predicted, labels, average)
    return {"precision": _float(p), "recall": _float(r), "f1": _float(f)}


def classification_summary(
    truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]
) -> dict[str, Any]:
    """JSON-ready: {"n", "accuracy", "classes": {label: {"precision","recall","f1","support"}},
    "macro": {"precision","recall","f1"}, "weighted": {...},
    "confusion": {"labels": [...], "matrix": [[...]]}, "predicted": {label: count}}

    ``labels`` are the true classes; confusion rows are those (truth), its columns those
    followed by the predicted-only classes that occur. Undefined figures are NaN."""
    label_list = _check(truth, predicted, labels)
    columns = label_list + _extra_classes(predicted, label_list)
    n = len(truth)
    classes: dict[str, dict[str, Any]] = {}
    if n:
        p, r, f, s = _prf(truth, predicted, label_list, None)
        with warnings.catch_warnings():  # it warns on a single label even when given labels
            warnings.simplefilter("ignore")
            matrix = confusion_matrix(list(truth), list(predicted), labels=columns)
        rows = [[int(v) for v in row] for row in matrix[: len(label_list)]]
    else:
        nan = [math.nan] * len(label_list)
        p, r, f, s = nan, nan, nan, [0] * len(label_list)
        rows = [[0] * len(columns) for _ in label_list]
    for i, label in enumerate(label_list):
        classes[label] = {"precision": _float(p[i]), "recall": _float(r[i]),
                          "f1": _float(f[i]), "support": int(s[i])}
    correct = sum(t == q for t, q in zip(truth, predicted, strict=True))
    counts = Counter(predicted)
    return {
        "n": n,
        "accuracy": correct / n if n else math.nan,
        "classes": classes,
        "macro": _averages(truth, predicted, label_list, "macro"),
        "weighted": _averages(truth, predicted, label_list, "weighted"),
        "confusion": {"labels": columns, "matrix": rows},
        "predicted": {c: counts.get(c, 0) for c in columns},
    }


def _cwe_order(cwe: str) -> tuple[int, str]:
    """CWE-22 before CWE-89 before CWE-502 (numeric, not string, order)."""
    digits = cwe.removeprefix("CWE-")
    return (int(digits), cwe) if digits.isdigit() else (1 << 30, cwe)


def _detect_by_cwe(detect: Sequence[tuple[str, str, str]]) -> dict[str, tuple[int, int]]:
    """CWE -> (correct, n) of the detection task."""
    tally: dict[str, list[int]] = {}
    for cwe, truth, predicted in detect:
        cell = tally.setdefault(normalize_cwe(cwe), [0, 0])
        cell[0] += truth == predicted
        cell[1] += 1
    return {cwe: (c, n) for cwe, (c, n) in tally.items()}


def per_cwe_table(
    detect: Sequence[tuple[str, str, str]], types: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    """SecuCoGen Table 7's shape. detect: (cwe, truth, predicted) rows of the detection task;
    types: (truth_cwe, predicted) rows of the type task. Returns {"rows": [{"cwe",
    "detect_accuracy", "detect_n", "precision", "recall", "f1", "support"}...], "detect_accuracy",
    "type_accuracy", "macro": {...}, "weighted": {...}, "unparseable": {"detect": n, "type": n},
    "other": n} (plus "detect_n" and "type_n"). A CWE present in only one task has NaN figures
    and None counts in the other task's columns; macro and weighted are the type task's."""
    by_cwe = _detect_by_cwe(detect)
    type_truth = [normalize_cwe(t) for t, _ in types]
    type_pred = [p for _, p in types]
    type_labels = sorted(set(type_truth), key=_cwe_order)
    summary = classification_summary(type_truth, type_pred, type_labels)
    rows: list[dict[str, Any]] = []
    for cwe in sorted(set(by_cwe) | set(type_labels), key=_cwe_order):
        row: dict[str, Any] = {"cwe": cwe, "detect_accuracy": math.nan, "detect_n": None}
        if cwe in by_cwe:
            correct, n = by_cwe[cwe]
            row.update(detect_accuracy=correct / n, detect_n=n)
        row.update(summary["classes"].get(cwe) or _NO_TYPE_ROWS)
        rows.append(row)
    detect_correct = sum(c for c, _ in by_cwe.values())
    return {
        "rows": rows,
        "detect_accuracy": detect_correct / len(detect) if detect else math.nan,
        "detect_n": len(detect),
        "type_accuracy": summary["accuracy"],
        "type_n": len(types),
        "macro": summary["macro"],
        "weighted": summary["weighted"],
        "unparseable": {"detect": sum(p == UNPARSEABLE for _, _, p in detect),
                        "type": type_pred.count(UNPARSEABLE)},
        "other": type_pred.count(OTHER),
    }


def _cell(value: Any) -> str:
    """2 decimals for figures, integers as they are, "-" for undefined."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _line(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def render_table7(table: dict[str, Any]) -> str:
    """Markdown of per_cwe_table's output (numbers to 2 decimals, "-" for undefined)."""
    lines = [_line(_HEADINGS), _line(["---"] + ["---:"] * (len(_HEADINGS) - 1))]
    for row in table["rows"]:
        lines.append(_line([row["cwe"], *(_cell(row[c]) for c in _COLUMNS)]))
    for name, key in (("Macro avg", "macro"), ("Weighted avg", "weighted")):
        figures = [_cell(table[key][f]) for f in _FIGURES]
        lines.append(_line([name, "", "", *figures, ""]))
    unparseable = table["unparseable"]
    lines += [
        "",
        f"Detection accuracy {_cell(table['detect_accuracy'])} (n={table.get('detect_n', '-')}); "
        f"type accuracy {_cell(table['type_accuracy'])} (n={table.get('type_n', '-')}); "
        f"unparseable answers: detection {unparseable['detect']}, type {unparseable['type']}; "
        f"other CWE named: {table['other']}.",
    ]
    return "\n".join(lines) + "\n"
