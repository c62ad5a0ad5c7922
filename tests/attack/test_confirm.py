"""Exploit confirmation of attack codes: which built-in task applies (the code defines its entry
point, same CWE before family), the real sandboxed security test on a task's insecure and
secure references, results kept in the run store, and the per-condition summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from vulnbench.attack.confirm import applicable, candidate_tasks, confirm, summarize
from vulnbench.attack.records import Condition, ScoredCode
from vulnbench.datasets import load_dataset
from vulnbench.records import Task
from vulnbench.store import RunStore

COND = Condition(method="cve-prompt", shots=0, prompt_temperature=0.6, code_temperature=0.6)


@pytest.fixture(scope="module")
def task() -> Task:
    """A built-in Python command-injection task with an exploit test."""
    tasks = [t for t in load_dataset("builtin").tasks
             if t.cwe == ["CWE-78"] and t.language == "python" and t.security_test.strip()
             and t.entry_point]
    return tasks[0]


def _code(id: str, code: str, cwe: str = "CWE-78", *, vulnerable: bool | None = True,
          status: str = "ok") -> ScoredCode:
    return ScoredCode(id=id, prompt_id="p", condition=COND, cwe=cwe, language="python",
                      permutation=0, prompt_index=0, index=0, order=0, code=code,
                      status=status, vulnerable=vulnerable)  # type: ignore[arg-type]


def test_applicable_needs_the_entry_point_of_a_task_of_the_family(task: Task) -> None:
    tasks = candidate_tasks([task])
    assert applicable(_code("a", task.insecure_reference), tasks) is task
    # CWE-77 is CWE-78's family: the CWE-78 task applies to a code targeted at it
    assert applicable(_code("b", task.insecure_reference, cwe="CWE-77"), tasks) is task
    assert applicable(_code("c", task.insecure_reference, cwe="CWE-89"), tasks) is None
    other = task.insecure_reference.replace(f"def {task.entry_point}(", "def renamed(")
    assert applicable(_code("d", other), tasks) is None


def test_confirm_runs_the_exploit_and_keeps_the_result(task: Task, tmp_path: Path) -> None:
    store = RunStore(tmp_path / "run.sqlite")
    codes = [_code("bad", task.insecure_reference, vulnerable=False),
             _code("good", task.secure_reference, vulnerable=True),
             _code("broken", task.insecure_reference, status="syntax_error")]
    notes: list[str] = []
    confirm(codes, [task], store, "bwrap", notes.append)
    assert (codes[0].confirmed, codes[0].confirmed_by) == (True, task.id)
    assert (codes[1].confirmed, codes[1].confirmed_by) == (False, task.id)
    assert (codes[2].confirmed, codes[2].confirmed_by) == (None, "")  # not scored: not tried
    assert notes == ["confirming 2 codes with the exploit tests of 1 tasks"]

    again = [_code("bad", task.insecure_reference), _code("good", task.secure_reference)]
    notes.clear()
    confirm(again, [task], store, "no-such-sandbox", notes.append)  # stored: nothing runs
    assert [c.confirmed for c in again] == [True, False] and notes == []
    store.close()

    summary = summarize(codes)[COND.label]["python"]
    assert (summary.applicable, summary.exploited, summary.resisted, summary.not_run) == \
        (2, 1, 1, 0)
    # the insecure reference was not flagged (as set here) but exploited; the secure one was
    # flagged yet resisted the exploit
    assert (summary.flagged_and_exploited, summary.exploited_not_flagged,
            summary.flagged_not_exploited) == (0, 1, 1)
    assert summary.tasks == [task.id]
