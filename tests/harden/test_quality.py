"""Retrieval quality (SecCoder §5.3) hand-checked on a 5-demo corpus with a scripted ranking,
and run end to end on a small store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vulnbench.cwe import in_family
from vulnbench.harden.quality import (
    EXCLUDED_NOTE,
    QualityRow,
    evaluate,
    evaluate_rankings,
    render_table,
)
from vulnbench.harden.records import Demonstration, Hit
from vulnbench.harden.retrievers import clear_cache
from vulnbench.harden.store import DemoStore
from vulnbench.records import Task


def d(did: str, cwe: str) -> Demonstration:
    return Demonstration(id=did, language="python", cwe=(cwe,), code=f"# {did}\n",
                         source="user:t")


D1, D2, D3, D4, D5 = (d("t1", "CWE-89"), d("d2", "CWE-79"), d("d3", "CWE-89"),
                      d("d4", "CWE-23"), d("d5", "CWE-78"))
T1 = Task(id="t1", cwe=["CWE-89"], code_prompt="q1", secure_reference=D1.code)
T2 = Task(id="t2", cwe=["CWE-22"], code_prompt="q2")
SCRIPT = {"t1": [D1, D2, D4, D3, D5], "t2": [D4, D1, D2, D3, D5]}


def scripted(task: Task) -> list[Hit]:
    return [Hit(demo=x, rank=i, score=0.0) for i, x in enumerate(SCRIPT[task.id], 1)]


def rows() -> dict[tuple[str, str], QualityRow]:
    out = evaluate_rankings([T1, T2], scripted, "scripted", ms=(1, 3, 5))
    return {(r.setting, r.language): r for r in out}


def test_toy_corpus_assumptions() -> None:
    # CWE-23 is in CWE-22's family (declared equivalent); 79, 23 and 78 are not in 89's
    assert in_family(["CWE-23"], ["CWE-22"])
    assert not any(in_family([c], ["CWE-89"]) for c in ("CWE-79", "CWE-23", "CWE-78"))


def test_leave_one_out_by_hand() -> None:
    r = rows()[("loo", "python")]
    # t1 allowed: d2 d4 d3 d5 (own t1 dropped) -> exact hits at 3; t2: none exact, d4 family at 1
    assert r.tasks == 2
    # acc@3 = (1/3 + 0) / 2, acc@5 = (1/4 + 0) / 2 (t1 has only 4 allowed demos)
    assert r.accuracy == {1: 0.0, 3: pytest.approx(1 / 6), 5: pytest.approx(0.125)}
    # fam@1 = (0 + 1) / 2, fam@3 = (1/3 + 1/3) / 2, fam@5 = (1/4 + 1/5) / 2
    assert r.family_accuracy == {1: 0.5, 3: pytest.approx(1 / 3), 5: pytest.approx(0.225)}
    assert (r.min_number, r.unreachable) == (3.0, 1)
    assert (r.family_min_number, r.family_unreachable) == (2.0, 0)
    assert r.note == ""


def test_exclude_cwe_by_hand() -> None:
    r = rows()[("exclude-cwe", "python")]
    # t1 allowed: d2 d4 d5 (no family hit); t2 allowed: all five (d4 is CWE-23, not 22)
    assert r.accuracy == {1: None, 3: None, 5: None}
    assert (r.min_number, r.unreachable) == (None, None)
    assert r.family_accuracy == {1: 0.5, 3: pytest.approx(1 / 6), 5: pytest.approx(0.1)}
    assert (r.family_min_number, r.family_unreachable) == (1.0, 1)
    assert r.note == EXCLUDED_NOTE


def test_pooled_row_equals_single_language_row() -> None:
    r = rows()
    assert r[("loo", "all")].accuracy == r[("loo", "python")].accuracy


def test_table_and_json() -> None:
    out = evaluate_rankings([T1, T2], scripted, "scripted", ms=(1, 3))
    table = render_table(out)
    lines = table.splitlines()
    assert lines[0].startswith("| retriever | setting | lang | tasks | acc@1 | acc@3 | fam@1")
    assert "| scripted | loo | python | 2 | 0.0 | 16.7 | 50.0 | 33.3 | 3.00 (1 none) | 2.00 |" \
        in lines
    assert ("| scripted | exclude-cwe | python | 2 | n/a | n/a | 50.0 | 16.7 | n/a "
            "| 1.00 (1 none) |") in lines
    assert "excluded by construction" in table
    assert json.loads(json.dumps(out[0].to_json()))["min_number"] == 3.0


def test_evaluate_on_a_store(tmp_path: Path) -> None:
    clear_cache()
    store = DemoStore.open(tmp_path / "s.sqlite", builtin=False)
    store.add([D1, D2, D3, D4, D5])
    report = evaluate(store, tasks=[T1, T2], retrievers=[("random", {}), ("bm25", {})],
                      ms=(1, 3))
    assert report.store_hash == store.content_hash()
    assert {r.retriever for r in report.rows} == {"random", "bm25"}
    assert len(report.rows) == 2 * 2 * 2  # retriever x setting x (python, all)
    loo = [r for r in report.rows if r.setting == "loo"]
    # t1 can reach d3 (CWE-89) in any order; t2 has no exact match anywhere
    assert all(r.unreachable == 1 and r.min_number is not None for r in loo)
    assert json.loads(report.dumps())["rows"][0]["retriever"] == "random"
