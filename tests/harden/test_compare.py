"""compare_runs on real run folders made by the pipeline with a scripted MOCK model (plumbing:
two prompt styles, real bandit, --dedup exact; a second folder with sandboxed functional tests
stands in for the HumanEval run). The figures must be the ones the run's own report scores."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.conftest import reference_bodies
from vulnbench.errors import RunStoreError
from vulnbench.harden.compare import Comparison, compare_runs, render_markdown
from vulnbench.models.base import BackendOptions
from vulnbench.pipeline import RunOptions, run
from vulnbench.results import Results
from vulnbench.sandbox.backends import find_bwrap
from vulnbench.store import RunStore

TASKS = ["demo-cwe089-user-lookup", "demo-cwe022-read-upload", "demo-cwe095-calculator"]


def _run(out: Path, script: Path, **kw: object) -> Results:
    base: dict[str, object] = dict(out=out, models=[f"mock:{script}"], temperatures=[0.0], n=2,
                                   ks=[1], task_ids=TASKS, progress=False, bootstrap_reps=50,
                                   backend=BackendOptions(), analyzers=["bandit"],
                                   run_tests=False, style="code,cwe-aware", dedup="exact")
    base.update(kw)
    return run(RunOptions(**base), echo=lambda _: None)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Results]:
    """A security run: sample 0 the insecure reference, sample 1 the secure one, except the
    traversal task, whose two samples are the same secure code (the second is an exact
    duplicate). The completion bodies make valid programs after a code prompt only: the
    cwe-aware (text) condition gets no valid sample."""
    root = tmp_path_factory.mktemp("cmp")
    bodies = reference_bodies(TASKS)
    bodies["demo-cwe022-read-upload"] = [bodies["demo-cwe022-read-upload"][1]] * 2
    script = root / "script.json"
    script.write_text(json.dumps(bodies))
    return root, _run(root / "sec", script)


def test_rows_are_the_runs_own_figures_with_paired_differences(
        folders: tuple[Path, Results]) -> None:
    root, results = folders
    comparison = compare_runs(root / "sec", reps=500)
    assert [r.strategy for r in comparison.rows] == ["code", "cwe-aware"]
    assert comparison.dedup == "exact" and comparison.notes == []
    code, aware = comparison.rows
    scored = {c.condition.rsplit("/", 1)[1]: c for c in results.conditions}
    for name in ("security_rate", "secure@1", "func_sec@1", "pass@1"):
        mine, theirs = code.figures[name], scored["code"].metrics[name]
        assert mine.value == pytest.approx(theirs.value)
        assert code.figures[name].diff is None  # the baseline row
    # SecCoder's definition: the static view's security rate, as the run's own report has it
    for row, strategy in ((code, "code"), (aware, "cwe-aware")):
        theirs_static = scored[strategy].static_metrics["security_rate"].value
        mine_static = row.figures["static_security_rate"].value
        assert (mine_static is None and theirs_static is None) or \
            mine_static == pytest.approx(theirs_static)
    # the duplicate is not valid: 5 valid of 6 samples, and the rate is over those 5
    assert (code.samples, code.valid) == (6, 5)
    assert scored["code"].sample_status == {"ok": 5, "duplicate": 1}
    assert code.figures["security_rate"].value == pytest.approx(code.secure / 5)
    # cwe-aware: no valid sample, so no rate and no rate difference; secure@1 is 0 everywhere
    assert (aware.valid, aware.figures["security_rate"].value) == (0, None)
    assert "no valid sample" in aware.figures["security_rate"].note
    rate_diff = aware.figures["security_rate"].diff
    assert rate_diff is not None and rate_diff.observed is None
    secure = aware.figures["secure@1"]
    assert secure.value == 0.0 and secure.diff is not None
    code_secure = code.figures["secure@1"].value
    assert code_secure is not None and code_secure > 0
    assert secure.diff.observed == pytest.approx(-code_secure)
    assert secure.diff.tasks == 3
    # functional tests did not run: pass@1 is 0 in both, a tie
    tie = aware.figures["pass@1"].diff
    assert tie is not None and (tie.observed, tie.p_value, tie.excludes_zero) == (0.0, 1.0, False)
    assert aware.figures["humaneval_pass@1"].note == "no HumanEval run given"


def test_baseline_is_a_parameter(folders: tuple[Path, Results]) -> None:
    root, _ = folders
    flipped = compare_runs(root / "sec", baseline="cwe-aware", reps=200)
    assert [r.strategy for r in flipped.rows] == ["cwe-aware", "code"]
    code = flipped.rows[1].figures["secure@1"]
    assert code.diff is not None and code.value is not None
    assert code.diff.observed == pytest.approx(code.value)
    with pytest.raises(ValueError, match="no condition of baseline strategy 'one-shot'"):
        compare_runs(root / "sec", baseline="one-shot")


def test_json_round_trip_and_markdown(folders: tuple[Path, Results]) -> None:
    root, _ = folders
    comparison = compare_runs(root / "sec", reps=200, seed=4)
    again = Comparison.model_validate_json(comparison.to_json())
    assert again == comparison
    assert compare_runs(root / "sec", reps=200, seed=4) == comparison  # seeded
    text = render_markdown(comparison)
    lines = text.splitlines()
    table = [line for line in lines if line.startswith("| ")]
    assert len(table) == 3 and table[0].startswith("| defence | tasks |")
    assert text.startswith("## Defence comparison: mock:") and "@T0 (baseline: code)" in text
    aware = table[2]
    assert "diff -" in aware and "(n.s.)" in aware and "n/a (no valid sample" in aware
    assert "p<0.01" in aware  # every resample favours the baseline: p below 2 / reps
    assert any(line.startswith("Columns: **security_rate**") and "(n.s.)" in line
               for line in lines)


def test_reading_changes_nothing_and_needs_a_finished_run(
        folders: tuple[Path, Results], tmp_path: Path) -> None:
    root, _ = folders

    def digest() -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted((root / "sec").iterdir()) if p.name.startswith("run.sqlite")}

    before = digest()
    compare_runs(root / "sec", reps=50)
    assert digest() == before
    with pytest.raises(RunStoreError, match="no run store"):
        compare_runs(tmp_path / "nothing")
    # a store that never finished a run has nothing scored
    RunStore(tmp_path / "empty" / "run.sqlite").close()
    with pytest.raises(RunStoreError, match="no finished run"):
        compare_runs(tmp_path / "empty")


@pytest.mark.skipif(find_bwrap() is None, reason="no bwrap for the functional tests")
def test_humaneval_pass_is_matched_by_strategy(folders: tuple[Path, Results]) -> None:
    root, _ = folders
    script = root / "script.json"
    utility = _run(root / "he", script, style="code", analyzers=[], run_tests=True,
                   task_ids=TASKS[:2], dedup="none")
    comparison = compare_runs(root / "sec", root / "he", reps=200)
    code, aware = comparison.rows
    fig = code.figures["humaneval_pass@1"]
    assert code.humaneval_condition == utility.conditions[0].condition
    assert fig.value == pytest.approx(utility.conditions[0].metrics["pass@1"].value)
    assert fig.diff is None  # the baseline's own utility
    assert aware.humaneval_condition is None
    assert (aware.figures["humaneval_pass@1"].value,
            aware.figures["humaneval_pass@1"].note) == (None, "not run on HumanEval")
    assert comparison.humaneval_dir == str(root / "he")
