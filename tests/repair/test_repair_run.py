"""Repair runs end to end on scripted MOCK models (plumbing: the answers are known), with the
real sandbox and bandit: a perfect repairer, one that returns the input, one that breaks the
code. Every figure is checked against values computed by hand in the comments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vulnbench.datasets import load_dataset
from vulnbench.models.base import BackendOptions
from vulnbench.pipeline import RunOptions, run
from vulnbench.repair.report import write_repair_outputs
from vulnbench.sandbox.backends import find_bwrap

pytestmark = pytest.mark.skipif(find_bwrap() is None, reason="no bwrap")

TASKS = ["demo-cwe089-user-lookup", "demo-cwe022-read-upload"]
BY_ID = {t.id: t for t in load_dataset("demo").tasks if t.id in TASKS}
BROKEN = "```python\nimport module_that_does_not_exist_anywhere\n```"


def fenced(code: str) -> str:
    return f"Here is the fixed program:\n```python\n{code.rstrip()}\n```\nDone."


def script(tmp_path: Path, answers: dict[str, list[str]]) -> Path:
    path = tmp_path / "mock.json"
    path.write_text(json.dumps(answers))
    return path


def repair_run(tmp_path: Path, answers: dict[str, list[str]], n: int, **kw: object
               ) -> dict[str, object]:
    out = tmp_path / "run"
    opts = RunOptions(out=out, models=[f"mock:{script(tmp_path, answers)}"],
                      temperatures=[0.0], n=n, ks=[1, 2], task_ids=TASKS, progress=False,
                      bootstrap_reps=200, backend=BackendOptions(), analyzers=["bandit"],
                      style=str(kw.pop("style", "repair")), **kw)  # type: ignore[arg-type]
    run(opts, echo=lambda _: None)
    return write_repair_outputs(out, echo=lambda _: None)


def test_perfect_unchanged_and_broken_answers(tmp_path: Path) -> None:
    # each task: sample 0 the secure reference, 1 the insecure input again, 2 broken code
    answers = {tid: [fenced(t.secure_reference), fenced(t.insecure_reference), BROKEN]
               for tid, t in BY_ID.items()}
    results = repair_run(tmp_path, answers, n=3)
    cond = results["conditions"][0]  # type: ignore[index]
    assert cond["tasks"] == 2 and cond["samples"] == 6
    assert cond["outcomes"] == {"repaired": 2, "still_vulnerable": 0, "broken": 2,
                                "unchanged": 2, "unjudged": 0}
    m = cond["metrics"]
    # SEC@k: sample 0 of each task is repaired -> 1 for k = 1, 2
    assert m["SEC@1"]["value"] == 1.0 and m["SEC@2"]["value"] == 1.0
    # func-sec@k with n=3, c=1: 1 - C(2,k)/C(3,k): k=1 -> 1/3, k=2 -> 1 - 1/3 = 2/3
    assert m["func-sec@1"]["value"] == pytest.approx(1 / 3, abs=1e-6)
    assert m["func-sec@2"]["value"] == pytest.approx(2 / 3, abs=1e-6)
    # secure@k with s=1 (the broken sample's security test errors, unchanged is never
    # secure): C(1,k)/C(3,k): k=1 -> 1/3, k=2 -> 0
    assert m["secure@1"]["value"] == pytest.approx(1 / 3, abs=1e-6)
    assert m["secure@2"]["value"] == 0.0
    # CodeBLEU@1: sample 0 is the secure reference itself
    assert m["CodeBLEU@1"]["value"] == pytest.approx(1.0, abs=1e-6)
    assert cond["per_task"][0]["outcomes"] == ["repaired", "unchanged", "broken"]


def test_unchanged_is_never_a_repair_even_where_the_checks_miss_the_flaw(tmp_path: Path
                                                                          ) -> None:
    # static checks only: bandit cannot see the path traversal, so the run's own verdict calls
    # the returned insecure input "secure"; the repair figures must not
    answers = {tid: [fenced(t.insecure_reference)] for tid, t in BY_ID.items()}
    results = repair_run(tmp_path, answers, n=1, run_tests=False)
    cond = results["conditions"][0]  # type: ignore[index]
    assert cond["outcomes"]["unchanged"] == 2
    assert cond["outcomes"]["repaired"] == 0
    assert cond["metrics"]["secure@1"]["value"] == 0.0
    run_results = json.loads((tmp_path / "run" / "results.json").read_text())
    # ... while the generic run figures do count the traversal sample as secure
    assert run_results["conditions"][0]["metrics"]["secure@1"]["value"] == 0.5


def test_still_vulnerable_and_explain_condition_in_one_folder(tmp_path: Path) -> None:
    # a model that rewrites the insecure code with a comment: not unchanged? It is: comments
    # are ignored. One that renames a variable is a new program, still vulnerable.
    sqli = BY_ID["demo-cwe089-user-lookup"]
    changed = sqli.insecure_reference.replace("query", "sql_text")
    assert changed != sqli.insecure_reference
    answers = {"demo-cwe089-user-lookup": [fenced("# fixed!\n" + sqli.insecure_reference),
                                           fenced(changed)],
               "demo-cwe022-read-upload": [fenced(BY_ID["demo-cwe022-read-upload"]
                                                  .secure_reference)] * 2}
    repair_run(tmp_path, answers, n=2)
    results = repair_run(tmp_path, answers, n=2, style="repair-explain")
    conds = {c["style"]: c for c in results["conditions"]}  # type: ignore[union-attr]
    assert set(conds) == {"repair", "repair-explain"}
    assert conds["repair-explain"]["explain"] is True
    sqli_row = next(r for r in conds["repair"]["per_task"]
                    if r["task_id"] == "demo-cwe089-user-lookup")
    assert sqli_row["outcomes"] == ["unchanged", "still_vulnerable"]
    md = (tmp_path / "run" / "repair.md").read_text()
    assert "still_vulnerable" in md and "CWE-89" in md and "SEC@2" in md


def test_replayed_repairs_are_scored_like_live_ones(tmp_path: Path) -> None:
    """Published repair outputs (a JSONL replayed, as a served model's answers would be):
    sample 0 breaks the code, sample 1 is the perfect repair."""
    rows = [{"task_id": tid, "sample_index": i, "text": text}
            for tid, t in BY_ID.items()
            for i, text in enumerate([BROKEN, fenced(t.secure_reference)])]
    path = tmp_path / "repairs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "replayed"
    run(RunOptions(out=out, models=[f"replay:{path}"], temperatures=[0.0], n=2, ks=[1, 2],
                   task_ids=TASKS, progress=False, bootstrap_reps=200,
                   backend=BackendOptions(), analyzers=["bandit"], style="repair"),
        echo=lambda _: None)
    cond = write_repair_outputs(out, echo=lambda _: None)["conditions"][0]
    assert cond["outcomes"]["broken"] == 2 and cond["outcomes"]["repaired"] == 2
    # SEC@1 looks at sample 0 only (broken) -> 0; SEC@2 -> 1; func-sec@1 = 1 - C(1,1)/C(2,1)
    assert cond["metrics"]["SEC@1"]["value"] == 0.0
    assert cond["metrics"]["SEC@2"]["value"] == 1.0
    assert cond["metrics"]["func-sec@1"]["value"] == pytest.approx(0.5, abs=1e-6)
