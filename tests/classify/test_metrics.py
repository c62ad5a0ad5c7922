"""Classification figures against hand-computed values: unparseable answers count as wrong,
undefined figures are NaN, and every number is a plain Python int or float."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from vulnbench.classify.metrics import classification_summary, per_cwe_table, render_table7
from vulnbench.classify.parse import NOT_VULNERABLE, OTHER, UNPARSEABLE, VULNERABLE

V, N, U = VULNERABLE, NOT_VULNERABLE, UNPARSEABLE
approx = pytest.approx


def _plain(obj: Any) -> None:
    """Only JSON types (numpy scalars would break json.dumps and the run store)."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            assert type(key) is str
            _plain(value)
    elif isinstance(obj, list):
        for value in obj:
            _plain(value)
    else:
        assert obj is None or type(obj) in (str, int, float, bool), (obj, type(obj))


def test_summary_with_an_unparseable_answer() -> None:
    s = classification_summary([V, V, V, N, N, N], [V, V, U, V, N, N], [V, N])
    _plain(s)
    json.dumps(s)
    assert s["n"] == 6
    assert s["accuracy"] == approx(4 / 6)  # the unparseable answer counts as wrong
    # V: tp 2, fp 1 (an N called V), fn 1 (the U) -> P 2/3, R 2/3, F1 2/3
    assert s["classes"][V] == approx(
        {"precision": 2 / 3, "recall": 2 / 3, "f1": 2 / 3, "support": 3})
    # N: tp 2, fp 0, fn 1 -> P 1, R 2/3, F1 2*1*(2/3)/(1+2/3) = 4/5
    assert s["classes"][N] == approx({"precision": 1.0, "recall": 2 / 3, "f1": 0.8, "support": 3})
    # macro: P (2/3+1)/2 = 5/6, R 2/3, F1 (2/3+4/5)/2 = 11/15; weighted equal (supports 3, 3)
    assert s["macro"] == approx({"precision": 5 / 6, "recall": 2 / 3, "f1": 11 / 15})
    assert s["weighted"] == approx({"precision": 5 / 6, "recall": 2 / 3, "f1": 11 / 15})
    assert s["confusion"] == {"labels": [V, N, U], "matrix": [[2, 0, 1], [1, 2, 0]]}
    assert s["predicted"] == {V: 3, N: 2, U: 1}


def test_always_vulnerable_on_a_balanced_set() -> None:
    s = classification_summary([V, V, N, N], [V, V, V, V], [V, N])
    assert s["accuracy"] == 0.5
    assert s["classes"][V] == approx({"precision": 0.5, "recall": 1.0, "f1": 2 / 3, "support": 2})
    # N never predicted: precision undefined (NaN, not 0); recall 0/2; F1 = 2tp/(2tp+fp+fn) = 0
    assert math.isnan(s["classes"][N]["precision"])
    assert s["classes"][N]["recall"] == 0.0 and s["classes"][N]["f1"] == 0.0
    # scikit-learn's macro average skips the undefined precision: P 0.5, R (1+0)/2, F1 (2/3+0)/2
    assert s["macro"] == approx({"precision": 0.5, "recall": 0.5, "f1": 1 / 3})
    assert s["confusion"] == {"labels": [V, N], "matrix": [[2, 0], [2, 0]]}
    assert s["predicted"] == {V: 4, N: 0}


def test_weighted_average_uses_support() -> None:
    s = classification_summary(["A", "A", "A", "B"], ["A", "A", "B", "B"], ["A", "B"])
    # A: P 2/2, R 2/3, F1 4/5; B: P 1/2, R 1/1, F1 2/3
    assert s["macro"] == approx({"precision": 0.75, "recall": 5 / 6, "f1": 11 / 15})
    # weights 3:1 -> P (3+0.5)/4, R (2+1)/4, F1 (2.4+2/3)/4 = 23/30
    assert s["weighted"] == approx({"precision": 0.875, "recall": 0.75, "f1": 23 / 30})


def test_predicted_only_classes_become_extra_columns_in_a_fixed_order() -> None:
    s = classification_summary(["A", "B", "A"], [OTHER, U, "A"], ["A", "B"])
    assert s["confusion"]["labels"] == ["A", "B", U, OTHER]
    assert s["confusion"]["matrix"] == [[1, 0, 0, 1], [0, 0, 1, 0]]
    assert s["classes"]["B"]["recall"] == 0.0 and math.isnan(s["classes"]["B"]["precision"])


def test_no_rows_gives_nan_not_an_error() -> None:
    s = classification_summary([], [], [V, N])
    assert s["n"] == 0 and math.isnan(s["accuracy"]) and math.isnan(s["macro"]["f1"])
    assert s["classes"][V]["support"] == 0


def test_bad_input_is_rejected() -> None:
    with pytest.raises(ValueError, match="2 true classes but 1"):
        classification_summary([V, N], [V], [V, N])
    with pytest.raises(ValueError, match="not among labels"):
        classification_summary([V, U], [V, V], [V, N])
    with pytest.raises(ValueError, match="unique"):
        classification_summary([V], [V], [V, V])


DETECT = [
    ("CWE-89", V, V), ("CWE-89", N, N), ("CWE-89", V, U), ("CWE-89", N, V),  # 2/4
    ("CWE-79", V, V), ("CWE-79", N, N),  # 2/2
    ("CWE-502", V, N),  # 0/1; no type-task rows for CWE-502
]
TYPES = [
    ("CWE-89", "CWE-89"), ("CWE-89", "CWE-89"), ("CWE-89", "CWE-79"), ("CWE-89", U),
    ("CWE-79", "CWE-79"), ("CWE-79", OTHER),
]


def test_per_cwe_table() -> None:
    t = per_cwe_table(DETECT, TYPES)
    _plain(t)
    assert [r["cwe"] for r in t["rows"]] == ["CWE-79", "CWE-89", "CWE-502"]  # numeric order
    by = {r["cwe"]: r for r in t["rows"]}
    # CWE-79 type task: tp 1, fp 1 (an 89 called 79), fn 1 (OTHER) -> P 1/2, R 1/2, F1 1/2
    assert by["CWE-79"] == approx({"cwe": "CWE-79", "detect_accuracy": 1.0, "detect_n": 2,
                                   "precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2})
    # CWE-89: tp 2, fp 0, fn 2 -> P 1, R 1/2, F1 2*0.5/1.5 = 2/3
    assert by["CWE-89"] == approx({"cwe": "CWE-89", "detect_accuracy": 0.5, "detect_n": 4,
                                   "precision": 1.0, "recall": 0.5, "f1": 2 / 3, "support": 4})
    only_detect = by["CWE-502"]
    assert only_detect["detect_accuracy"] == 0.0 and only_detect["detect_n"] == 1
    assert all(math.isnan(only_detect[k]) for k in ("precision", "recall", "f1"))
    assert only_detect["support"] is None
    assert t["detect_accuracy"] == approx(4 / 7) and t["detect_n"] == 7
    assert t["type_accuracy"] == approx(3 / 6) and t["type_n"] == 6
    # macro: P (1/2+1)/2, R 1/2, F1 (1/2+2/3)/2 = 7/12
    assert t["macro"] == approx({"precision": 0.75, "recall": 0.5, "f1": 7 / 12})
    # weighted 2:4 -> P (1+4)/6, R 1/2, F1 (1+8/3)/6 = 11/18
    assert t["weighted"] == approx({"precision": 5 / 6, "recall": 0.5, "f1": 11 / 18})
    assert t["unparseable"] == {"detect": 1, "type": 1} and t["other"] == 1


def test_cwe_only_in_the_type_task() -> None:
    t = per_cwe_table([], [("cwe-79", "CWE-79")])
    row = t["rows"][0]
    assert row["cwe"] == "CWE-79" and row["detect_n"] is None
    assert math.isnan(row["detect_accuracy"]) and math.isnan(t["detect_accuracy"])
    assert row["precision"] == 1.0 and t["type_accuracy"] == 1.0


def test_render_table7() -> None:
    text = render_table7(per_cwe_table(DETECT, TYPES))
    lines = text.splitlines()
    assert lines[0] == "| CWE | Detection acc. | n | Precision | Recall | F1 | Support |"
    assert "| CWE-89 | 0.50 | 4 | 1.00 | 0.50 | 0.67 | 4 |" in lines
    assert "| CWE-502 | 0.00 | 1 | - | - | - | - |" in lines
    assert "| Macro avg |  |  | 0.75 | 0.50 | 0.58 |  |" in lines
    assert "| Weighted avg |  |  | 0.83 | 0.50 | 0.61 |  |" in lines
    assert lines[-1] == (
        "Detection accuracy 0.57 (n=7); type accuracy 0.50 (n=6); "
        "unparseable answers: detection 1, type 1; other CWE named: 1."
    )
