"""``vulnbench compare`` on real small run folders (scripted MOCK model for plumbing, real
bandit, real sandboxed tests, real run stores): the leaderboard is the runs' own results.json
figures, the paired differences are the hand-computable ones, different datasets and non-run
folders are refused with nothing written, and the report page works in Chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser_support import open_page
from tests.conftest import reference_bodies
from vulnbench.compare import Comparison, compare_folders, write_outputs
from vulnbench.compare.leaderboard import paired
from vulnbench.errors import VulnbenchError
from vulnbench.metrics.aggregate import TaskCounts
from vulnbench.models.base import BackendOptions
from vulnbench.pipeline import RunOptions, run
from vulnbench.results import Results
from vulnbench.sandbox.backends import find_bwrap

needs_bwrap = pytest.mark.skipif(find_bwrap() is None, reason="no bwrap")
TASKS = ["demo-cwe089-user-lookup", "demo-cwe022-read-upload", "demo-cwe095-calculator"]
VULNBENCH = [str(Path(sys.executable).with_name("vulnbench"))]  # .venv/bin/vulnbench


def _run(out: Path, bodies: dict[str, list[str]], temperatures: list[float],
         tasks: list[str] = TASKS, n: int = 2) -> Path:
    script = out.parent / f"{out.name}-script.json"
    script.write_text(json.dumps(bodies))
    run(RunOptions(out=out, models=[f"mock:{script}"], temperatures=temperatures, n=n, ks=[1],
                   task_ids=tasks, progress=False, bootstrap_reps=200,
                   backend=BackendOptions(), analyzers=["bandit"]), echo=lambda _: None)
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """mixed: sample 0 of each task its insecure reference, sample 1 its secure one, at two
    temperatures; secure: both samples the secure reference; other: two of the tasks only
    (so another dataset hash); not-a-run: a classify folder's results.json."""
    root = tmp_path_factory.mktemp("cmp")
    bodies = reference_bodies(TASKS)
    secure = {t: [b[1], b[1]] for t, b in bodies.items()}
    folder = root / "classified"
    folder.mkdir()
    (folder / "results.json").write_text(json.dumps({"task": "detect", "summary": {}}))
    return {"mixed": _run(root / "mixed", bodies, [0.0, 0.6]),
            "secure": _run(root / "secure", secure, [0.0]),
            "other": _run(root / "other", bodies, [0.0], TASKS[:2], n=1),
            "not-a-run": folder}


@pytest.fixture(scope="module")
def compared(runs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
             ) -> tuple[Comparison, Path]:
    out = tmp_path_factory.mktemp("out") / "cmp"
    comparison = compare_folders([runs["mixed"], runs["secure"]], sort="security_rate",
                                 reps=500, seed=3)
    write_outputs(comparison, out)
    return comparison, out


@needs_bwrap
def test_leaderboard_values_are_the_runs_results(runs: dict[str, Path],
                                                 compared: tuple[Comparison, Path]) -> None:
    _, out = compared
    doc = Comparison.model_validate_json((out / "compare.json").read_text())
    assert len(doc.rows) == 3 and [r.name for r in doc.runs] == ["mixed", "secure"]
    for name in ("mixed", "secure"):
        results = Results.model_validate_json((runs[name] / "results.json").read_text())
        for cond in results.conditions:
            row = next(r for r in doc.rows if r.id == f"{name}/{cond.condition}")
            assert row.model == cond.model and row.temperature == cond.temperature
            assert row.style == "code" and row.tasks == 3 and row.samples == 6
            for metric, entry in row.metrics.items():
                assert entry == cond.metrics[metric], (row.id, metric)
            assert set(row.metrics) == set(doc.headline)
    # sorted by security_rate: the all-secure run first (1.0), then the mixed ones (0.5)
    rates = [r.metrics["security_rate"].value for r in doc.rows]
    assert rates == [1.0, 0.5, 0.5] and doc.rows[0].run == "secure" and doc.descending
    assert doc.diff_metrics == ["security_rate", "secure@1", "pass@1"]
    md = (out / "compare.md").read_text()
    assert "## Leaderboard (sorted by security_rate" in md and "## Paired differences" in md


@needs_bwrap
def test_paired_differences_of_the_runs_by_hand(compared: tuple[Comparison, Path]) -> None:
    comparison, _ = compared
    top, a, b = (r.id for r in comparison.rows)
    m = comparison.matrix("security_rate")
    # every task: 2 of 2 secure against 1 of 2, so every resample differs by exactly 0.5
    d = m[top, a]
    assert (d.observed, d.ci_low, d.ci_high, d.tasks) == (0.5, 0.5, 0.5, 3)
    assert d.p_value == 0.0 and d.significant
    mirror = m[a, top]
    assert (mirror.observed, mirror.ci_low, mirror.ci_high) == (-0.5, -0.5, -0.5)
    same = m[a, b]  # the MOCK model ignores temperature: identical conditions
    assert same.observed == 0.0 and same.p_value == 1.0 and not same.significant
    assert str(m[b, a].observed) == "0.0"  # the mirror of a zero is no "-0.000"
    for metric in ("security_rate", "secure@1"):  # the stores' counts give results.json's
        values = [r.metrics[metric].value for r in comparison.rows]
        assert values[0] is not None and values[1] is not None
        assert comparison.matrix(metric)[top, a].observed == pytest.approx(
            values[0] - values[1])
    pass_diff = comparison.matrix("pass@1")[top, a]
    assert pass_diff.observed == 0.0 and not pass_diff.significant  # both references pass
    assert len(comparison.diffs) == 3 * 3  # three pairs, three metrics


def _counts(task: str, secure: int, valid: int) -> TaskCounts:
    return TaskCounts(task_id=task, cwes=("CWE-89",), n=2, functional=2, vulnerable=valid -
                      secure, secure=secure, func_secure=secure, valid=valid,
                      has_functional_test=True)


def test_paired_security_rate_on_a_tiny_case_by_hand() -> None:
    """Row: t1 2/2 secure, t2 1/2 (3/4); column: 1/2 and 1/2 (2/4). Observed +0.25. A
    resample draws {t1,t1} (diff 0.5) with p 1/4, {t2,t2} (0) with 1/4, a mix (0.25) with
    1/2: interval [0, 0.5], two-sided p = 2 * P(diff <= 0) = 0.5."""
    row = [_counts("t1", 2, 2), _counts("t2", 1, 2)]
    column = [_counts("t1", 1, 2), _counts("t2", 1, 2)]
    d = paired("security_rate", row, column, reps=4000, seed=1, confidence=0.95)
    assert d.observed == pytest.approx(0.25) and d.tasks == 2
    assert (d.ci_low, d.ci_high) == (0.0, 0.5) and not d.excludes_zero
    assert d.p_value is not None and abs(d.p_value - 0.5) < 0.05
    # secure@1 per task: 1.0 - 0.5 and 0.5 - 0.5, the same distribution
    s = paired("secure@1", row, column, reps=4000, seed=1, confidence=0.95)
    assert s.observed == pytest.approx(0.25) and (s.ci_low, s.ci_high) == (0.0, 0.5)


@needs_bwrap
def test_runs_of_another_dataset_are_refused(runs: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(VulnbenchError) as err:
        compare_folders([runs["mixed"], runs["other"]])
    text = str(err.value)
    assert "same dataset" in text and "mixed: dataset 'demo', 3 tasks" in text
    assert "other: dataset 'demo', 2 tasks" in text and "nothing was written" in text
    hashes = [json.loads((runs[n] / "results.json").read_text())["run_spec"]["dataset_hash"]
              for n in ("mixed", "other")]
    assert hashes[0] != hashes[1] and all(h[:12] in text for h in hashes)


@needs_bwrap
def test_cli_writes_the_folder_and_refuses_with_nothing_written(
        runs: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "c"
    proc = subprocess.run([*VULNBENCH, "compare", str(runs["mixed"]), str(runs["secure"]),
                           "--out", str(out), "--reps", "200", "--metric", "secure@1"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "3 conditions of 2 runs on demo (3 tasks), by pass@1:" in proc.stderr
    assert f"{out / 'report.html'}" in proc.stderr
    doc = json.loads((out / "compare.json").read_text())
    assert doc["sort"] == "pass@1" and doc["diff_metrics"] == ["secure@1"]
    assert doc["reps"] == 200 and len(doc["diffs"]) == 3
    for bad, needle in (([runs["mixed"], runs["other"]], "same dataset"),
                        ([runs["mixed"], runs["not-a-run"]], "classified is not a generation "
                                                             "run")):
        refused = tmp_path / f"r{len(needle)}"
        proc = subprocess.run([*VULNBENCH, "compare", *map(str, bad), "--out", str(refused)],
                              capture_output=True, text=True, timeout=300, check=False)
        assert proc.returncode == 2 and needle in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr and not refused.exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(VulnbenchError, match="empty is not a generation run: no readable"):
        compare_folders([runs["mixed"], empty])


@needs_bwrap
def test_report_page_in_chromium(compared: tuple[Comparison, Path]) -> None:
    comparison, out = compared
    page = out / "report.html"
    text = page.read_text()
    assert "http" not in text and "//cdn" not in text
    with open_page(page) as opened:
        p = opened.page
        assert p.title() == "vulnbench compare: demo"
        cells = p.eval_on_selector_all(
            "#compare-leaderboard span[data-metric]",
            "els => els.map(e => [e.dataset.condition, e.dataset.metric, e.textContent])")
        assert len(cells) == 3 * len(comparison.headline)
        for cond, metric, value in cells:
            row = next(r for r in comparison.rows if r.id == cond)
            expected = row.metrics[metric].value
            assert value == ("n/a" if expected is None else f"{expected:.3f}")
        diffs = p.eval_on_selector_all(
            "span[data-diff]", "els => els.map(e => [e.dataset.diff, e.dataset.row, "
            "e.dataset.column, e.textContent, e.parentElement.className])")
        assert len(diffs) == 3 * 6  # three metrics, 3 x 3 matrix less its diagonal
        top = comparison.rows[0].id
        strong = [d for d in diffs if d[0] == "security_rate" and d[1] == top]
        assert {d[3] for d in strong} == {"+0.500*"} and {d[4] for d in strong} == \
            {"d-better-sig"}
        assert p.locator("svg").count() >= 1
        opened.screenshot("compare.png", full_page=True)
        assert opened.errors == []
        assert opened.external_requests(out) == []


@needs_bwrap
def test_vulnbench_report_rewrites_the_same_compare_page(compared: tuple[Comparison, Path],
                                                         tmp_path: Path) -> None:
    """``vulnbench report DIR`` on a compare folder: the sections register on that path too,
    so the page it re-writes is the one compare wrote (not an empty page)."""
    _, out = compared
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / "report.html").unlink()
    proc = subprocess.run([*VULNBENCH, "report", str(copy)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    assert (copy / "report.html").read_text() == (out / "report.html").read_text()
    ids = re.findall(r'\sid="([^"]+)"', (out / "report.html").read_text())
    assert "compare-leaderboard" in ids and len(ids) == len(set(ids))
