"""The scorer registry on a run store built in the test (no sandbox): the registered families
give the figures the estimators give on the same counts, a task kind picks its families, and
a new family or kind registers without touching the scoring loop."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from vulnbench.errors import UnknownNameError
from vulnbench.metrics import pass_at_k, secure_at_k, vulnerable_at_k
from vulnbench.pipeline.score import count_condition, score_condition
from vulnbench.pipeline.scorers import (
    GENERATION_FAMILIES,
    ScoreParams,
    families_for,
    kinds,
    run_scorers,
    scorers,
)
from vulnbench.records import Sample, Task, Verdict
from vulnbench.records import TestOutcome as Outcome
from vulnbench.store import RunStore

TASKS = {
    "a": Task(id="a", cwe=["CWE-89"], code_prompt="x", functional_test="t",
              security_test="s"),
    "u": Task(id="u", kind="utility", code_prompt="x", functional_test="t"),
}
# (task, functional, vulnerable) per sample; 3 samples each
SAMPLES = [("a", True, True), ("a", True, False), ("a", False, False),
           ("u", True, False), ("u", False, False), ("u", True, False)]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[RunStore]:
    store = RunStore(tmp_path / "run.sqlite")
    for i, (task, functional, vulnerable) in enumerate(SAMPLES):
        key = f"k{i}"
        store.put_samples([Sample(key=key, condition="m@T0", task_id=task, sample_index=i % 3,
                                  raw="", code="", status="ok", compiles_raw=True,
                                  compiles_repaired=True)])
        security = [Outcome(suite="security", name="s",
                                status="failed" if vulnerable else "passed")]
        store.put_verdict(Verdict(
            key=key, status="assessed", functional=functional, static_vulnerable=False,
            test_vulnerable=vulnerable, vulnerable=vulnerable, secure=not vulnerable,
            tests=security if TASKS[task].security_test else []), "fp")
    yield store
    store.close()


def _keys() -> set[str]:
    return {f"k{i}" for i in range(len(SAMPLES))}


def test_families_give_the_estimators_figures(store: RunStore) -> None:
    result = score_condition(store, "m@T0", "m", 0.0, TASKS, _keys(), [1, 2], reps=50)
    per_task = {t: [s for s in SAMPLES if s[0] == t] for t in TASKS}
    functional = {t: sum(s[1] for s in rows) for t, rows in per_task.items()}
    vulnerable = {t: sum(s[2] for s in rows) for t, rows in per_task.items()}
    for k in (1, 2):
        assert result.metrics[f"pass@{k}"].value == pytest.approx(
            sum(pass_at_k(3, functional[t], k) for t in TASKS) / 2, abs=1e-6)
        assert result.metrics[f"vulnerable@{k}"].value == pytest.approx(
            sum(vulnerable_at_k(3, vulnerable[t], k) for t in TASKS) / 2, abs=1e-6)
        assert result.metrics[f"secure@{k}"].value == pytest.approx(
            sum(secure_at_k(3, 3 - vulnerable[t], k) for t in TASKS) / 2, abs=1e-6)
    assert result.verdict_sources.secure == 5 and result.verdict_sources.vulnerable_test_only == 1
    # the utility task has no CWE, so no per-CWE row; the generate task has its own
    assert list(result.per_cwe) == ["CWE-89"] and result.per_cwe["CWE-89"].tasks == 1
    assert result.tasks_with_tests == {"functional": 2, "security": 1}
    assert result.sample_status == {"ok": 6} and result.compile_rate["raw"] == 1.0


def test_kinds_pick_families() -> None:
    assert families_for(["generate"]) == list(GENERATION_FAMILIES)
    assert families_for(["utility", "generate"]) == list(GENERATION_FAMILIES)
    with pytest.raises(UnknownNameError):
        families_for(["classify"])  # no scorer registered for it yet: said, not guessed


def test_a_new_kind_registers_its_own_families(store: RunStore) -> None:
    scorers.register("test-only-count")(lambda counts, params: {"samples": counts.total * 10})
    kinds.register("classify")(("samples", "test-only-count"))
    try:
        counts = count_condition(store, "m@T0", TASKS, _keys())
        counts.tasks = [Task(id="c", kind="classify", cwe=["CWE-89"], code_prompt="x")]
        fields = run_scorers(counts, ScoreParams([1], 10))
        assert fields["samples"] == 60 and fields["sample_status"] == {"ok": 6}
        assert "metrics" not in fields
    finally:
        scorers._entries.pop("test-only-count")
        kinds._entries.pop("classify")
