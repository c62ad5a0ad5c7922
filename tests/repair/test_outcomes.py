"""Outcome of each repair sample, decided in order, from hand-made samples and verdicts."""

from __future__ import annotations

import math

import pytest

from vulnbench.records import Sample, Task, Verdict
from vulnbench.repair.outcomes import TaskRepairs, is_unchanged, mean_ci, sample_outcome

TASK = Task(id="t", cwe=["CWE-89"], code_prompt="def f(x):\n",
            insecure_reference="def f(x):\n    return run('SELECT ' + x)\n",
            secure_reference="def f(x):\n    return run('SELECT ?', x)\n",
            functional_test="assert f('a')\n")


def sample(code: str, status: str = "ok") -> Sample:
    return Sample(key="k", condition="c", task_id="t", sample_index=0, raw=code, code=code,
                  status=status)  # type: ignore[arg-type]


def verdict(**kw: object) -> Verdict:
    return Verdict(key="k", status=kw.pop("status", "assessed"), **kw)  # type: ignore[arg-type]


FIXED = "def f(x):\n    return run('SELECT ?', (x,))\n"


@pytest.mark.parametrize(("smp", "ver", "expected"), [
    (sample(FIXED), verdict(functional=True, vulnerable=False, secure=True), "repaired"),
    (sample(FIXED), verdict(functional=True, vulnerable=True, secure=False),
     "still_vulnerable"),
    (sample(FIXED), verdict(functional=None, vulnerable=True, secure=False),
     "still_vulnerable"),
    # a failing functional test is broken even when an analyzer also flags it
    (sample(FIXED), verdict(functional=False, vulnerable=True, secure=False), "broken"),
    (sample(FIXED + "(", "dropped_code"), None, "broken"),
    (sample("", "extract_failed"), None, "broken"),
    (sample(FIXED, "syntax_error"), None, "broken"),
    # the input again, with a comment and blank lines: unchanged, whatever the verdict
    (sample("# fixed\n\n" + TASK.insecure_reference),
     verdict(functional=True, vulnerable=False, secure=True), "unchanged"),
    (sample(FIXED), verdict(status="sandbox_error"), "unjudged"),
    (sample(FIXED), verdict(functional=True, vulnerable=False, secure=False), "unjudged"),
    (sample(FIXED), None, "unjudged"),
])
def test_outcome_order(smp: Sample, ver: Verdict | None, expected: str) -> None:
    assert sample_outcome(smp, ver, TASK) == expected


def test_unchanged_needs_an_insecure_reference() -> None:
    assert is_unchanged(TASK.insecure_reference.rstrip() + "  \n", TASK)
    assert not is_unchanged(FIXED, TASK)
    assert not is_unchanged("", TASK.model_copy(update={"insecure_reference": ""}))


def test_codebleu_reads_code_that_does_not_parse_but_not_missing_code() -> None:
    repairs = TaskRepairs(TASK)
    repairs.add(sample(FIXED + "(", "syntax_error"), None)
    repairs.add(sample("", "extract_failed"), None)
    repairs.add(sample(TASK.insecure_reference), verdict(functional=True, vulnerable=False,
                                                         secure=True))
    assert repairs.codes == [FIXED + "(", None, TASK.insecure_reference]
    assert repairs.outcomes == ["broken", "broken", "unchanged"]
    assert repairs.secure == [False, False, False]  # unchanged is never secure


def test_mean_ci() -> None:
    point, low, high = mean_ci([1.0, 0.0, math.nan, 1.0, 0.0], reps=500)
    assert point == 0.5 and 0.0 <= low <= point <= high <= 1.0
    assert all(math.isnan(v) for v in mean_ci([math.nan]))  # nothing defined
    assert mean_ci([0.25]) == (0.25, 0.25, 0.25)
