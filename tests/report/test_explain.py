"""The report explains itself: verdict sources, reasons for "neither", blind tasks, and a note
for every n/a. Verdicts come from the real ``decide`` over scripted findings and test runs, and
are scored from a real run store, so the counts follow the verdict semantics."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vulnbench.assess.verdict import decide
from vulnbench.pipeline.score import blind_tasks, score_condition
from vulnbench.records import (
    Finding,
    GenerationConfig,
    RunSpec,
    Sample,
    SampleStatus,
    Task,
    TestStatus,
)
from vulnbench.records import TestOutcome as Outcome
from vulnbench.report.markdown import render_markdown, temperature_tables
from vulnbench.results import BlindShare, ConditionResult, Results, Stats, VerdictSources
from vulnbench.sandbox.tests_runner import TestRun as Run
from vulnbench.store import RunStore

SQLI = Finding(tool="bandit", rule_id="B608", cwe=["CWE-89"], line=3)
TASKS = {
    "sqli": Task(id="sqli", cwe=["CWE-89"], code_prompt="def f(x):\n",
                 functional_test="def test_f(): pass\n", security_test="def test_s(): pass\n"),
    "trav": Task(id="trav", cwe=["CWE-22"], code_prompt="def f(x):\n",
                 functional_test="def test_f(): pass\n", security_test="def test_s(): pass\n"),
    # clickjacking: no rule of bandit or vulnbench's semgrep pack reports it, and no test
    "frame": Task(id="frame", cwe=["CWE-1021"], code_prompt="def f(x):\n",
                  functional_test="def test_f(): pass\n"),
}


def _tests(security: TestStatus | None, status: str = "assessed") -> Run:
    outcomes = [Outcome(suite="functional", name="test_f", status="passed")]
    if security is not None:
        outcomes.append(Outcome(suite="security", name="test_s", status=security))
    return Run(status, outcomes)  # type: ignore[arg-type]


# task -> per sample: (sample status, findings, analyzer errors, test run); expected bucket
PLAN: dict[str, list[tuple[SampleStatus, list[Finding], list[str], Run, str]]] = {
    "sqli": [("ok", [SQLI], [], _tests("failed"), "vulnerable_both"),
             ("ok", [SQLI], [], _tests("passed"), "vulnerable_static_only"),
             ("ok", [], [], _tests("failed"), "vulnerable_test_only")],
    "trav": [("ok", [], [], _tests("error"), "security_test_error"),
             ("ok", [], [], Run("timeout", detail="slow"), "timeout"),
             ("ok", [], [], _tests("passed"), "secure")],
    "frame": [("ok", [], [], _tests(None), "secure"),
              ("syntax_error", [], [], _tests(None), "not_assessed:syntax_error"),
              ("ok", [], ["bandit failed: boom"], _tests(None), "analyzer_error")],
}
ANALYZERS = ["bandit", "semgrep"]


def _store(path: Path, condition: str = "m@T0") -> RunStore:
    path.mkdir(parents=True, exist_ok=True)
    store = RunStore(path / "run.sqlite")
    for task_id, rows in PLAN.items():
        for i, (status, findings, errors, tests, _) in enumerate(rows):
            key = f"{condition}/{task_id}/{i}"
            store.put_samples([Sample(key=key, condition=condition, task_id=task_id,
                                      sample_index=i, raw="x", code="x", status=status,
                                      compiles_raw=True, compiles_repaired=True)])
            if status == "ok":
                store.put_verdict(decide(key, TASKS[task_id], findings, errors, tests,
                                         "target"), "fp")
    return store


def _score(tmp_path: Path, condition: str = "m@T0", temperature: float = 0.0,
           ks: tuple[int, ...] = (1, 5)) -> ConditionResult:
    store = _store(tmp_path, condition)
    blind = blind_tasks(TASKS.values(), ANALYZERS, tests_run=True)
    keys = {s.key for s in store.iter_samples(condition)}
    return score_condition(store, condition, "m", temperature, TASKS, keys, list(ks), 50,
                           frozenset(b.task for b in blind))


def _results(conditions: list[ConditionResult], warnings: list[str] | None = None) -> Results:
    spec = RunSpec(vulnbench_version="0", git_revision="x", dataset="t", dataset_hash="0" * 64,
                   task_count=len(TASKS), models=[], temperatures=[0.0], style="code",
                   generation=GenerationConfig(n=3), seed=0, policy="target", dedup="none",
                   analyzers=ANALYZERS)
    results = Results(run_spec=spec, stats=Stats(new_generations=0, reused_generations=0,
                                                 assessed=0, reused_verdicts=0, seconds=0.0),
                      conditions=conditions, warnings=warnings or [],
                      blind_tasks=blind_tasks(TASKS.values(), ANALYZERS, tests_run=True))
    results.temperature_tables = temperature_tables(results)
    return results


def test_every_sample_falls_in_one_verdict_bucket(tmp_path: Path) -> None:
    cond = _score(tmp_path)
    expected: dict[str, int] = {}
    for rows in PLAN.values():
        for *_, bucket in rows:
            expected[bucket] = expected.get(bucket, 0) + 1
    src = cond.verdict_sources
    assert src == VerdictSources(
        secure=expected.pop("secure"),
        vulnerable_static_only=expected.pop("vulnerable_static_only"),
        vulnerable_test_only=expected.pop("vulnerable_test_only"),
        vulnerable_both=expected.pop("vulnerable_both"), neither=expected)
    assert (src.secure + src.vulnerable_static_only + src.vulnerable_test_only
            + src.vulnerable_both + sum(src.neither.values())) == cond.samples == 9
    assert cond.tasks_with_tests == {"functional": 3, "security": 2}


def test_blind_tasks_and_their_share_of_the_headline(tmp_path: Path) -> None:
    cond = _score(tmp_path)
    blind = blind_tasks(TASKS.values(), ANALYZERS, tests_run=True)
    assert [b.task for b in blind] == ["frame"]
    assert blind[0].reason.startswith("no security test; no enabled analyzer (bandit, semgrep)")
    assert "CWE-1021" in blind[0].reason
    assert cond.blind == BlindShare(tasks=1, samples=3, secure=1)

    # a security test that did not run judges nothing either
    tested = Task(id="tested", cwe=["CWE-1021"], code_prompt="def f(x):\n",
                  security_test="def test_s(): pass\n")
    assert blind_tasks([tested], ANALYZERS, tests_run=True) == []
    (untested,) = blind_tasks([tested], ANALYZERS, tests_run=False)
    assert untested.reason.startswith("security tests not run; ")


@pytest.mark.parametrize(("task", "analyzers", "why"), [
    (Task(id="u", cwe=["CWE-99999"], code_prompt="x"), ANALYZERS, "CWE-99999 not in MITRE"),
    (Task(id="c", cwe=["CWE-416"], language="c", code_prompt="x"), ["bandit"],
     "no enabled analyzer has rules for c"),
    (Task(id="q", cwe=["CWE-1021"], code_prompt="x"), ["bandit", "cppcheck", "codeql"],
     "no enabled analyzer (bandit) reports CWE-1021 or a CWE of its family in python "
     "(codeql: rules not enumerated)"),
    (Task(id="n", cwe=["CWE-89"], code_prompt="x"), [], "no analyzer ran"),
])
def test_blind_reasons(task: Task, analyzers: list[str], why: str) -> None:
    (blind,) = blind_tasks([task], analyzers, tests_run=True)
    assert blind.reason.startswith("no security test; ") and why in blind.reason


def test_coverage_leaves_out_rules_that_never_count() -> None:
    from vulnbench.analyzers.coverage import bandit_rules, reportable_cwes

    python = reportable_cwes(["bandit"], "python")
    assert "CWE-605" in bandit_rules()["B104"]  # bind to all interfaces: a reminder only
    assert "CWE-605" not in python
    assert {"CWE-89", "CWE-502", "CWE-95"} <= python  # B608, B301, B307 (refined from 78)
    assert reportable_cwes(["bandit"], "c") == frozenset()
    assert "CWE-117" in reportable_cwes(["semgrep"], "python")
    assert "CWE-134" in reportable_cwes(["semgrep"], "c")
    assert "CWE-208" in reportable_cwes(["semgrep"], "python")  # a long-tail rule module


def test_coverage_knows_the_lint_analyzers() -> None:
    from vulnbench.analyzers.coverage import reportable_cwes

    ruff = reportable_cwes(["ruff"], "python")
    assert {"CWE-89", "CWE-502"} <= ruff
    assert "CWE-605" not in ruff  # S104 (bind to all interfaces) is a reminder, as B104
    assert "CWE-1333" in reportable_cwes(["dlint"], "python")
    assert reportable_cwes(["ruff", "dlint"], "c") == frozenset()


@pytest.mark.parametrize(("task", "analyzers"), [
    (Task(id="p", cwe=["CWE-89"], code_prompt="x"), ["bandit"]),
    (Task(id="f", cwe=["CWE-564"], code_prompt="x"), ["bandit"]),  # child of CWE-89
    (Task(id="s", cwe=["CWE-117"], code_prompt="x"), ["semgrep"]),
    (Task(id="c", cwe=["CWE-416"], language="c", code_prompt="x"), ["gcc-analyzer"]),
])
def test_covered_tasks_are_not_blind(task: Task, analyzers: list[str]) -> None:
    assert blind_tasks([task], analyzers, tests_run=True) == []


def test_undefined_figures_carry_their_reason(tmp_path: Path) -> None:
    cond = _score(tmp_path)
    assert cond.metrics["secure@5"].value is None
    assert cond.undefined["secure@5"] == "k=5 > n=3 samples per task"
    assert "secure@1" not in cond.undefined and cond.metrics["secure@1"].value is not None
    assert set(cond.undefined) == {n for n, e in cond.metrics.items() if e.value is None}


def _sections(report: str) -> dict[str, str]:
    parts = re.split(r"^## ", report, flags=re.MULTILINE)
    return {p.splitlines()[0]: p for p in parts[1:]}


def test_report_defines_metrics_once_and_explains_every_na(tmp_path: Path) -> None:
    conds = [_score(tmp_path / "a"), _score(tmp_path / "b", "m@T0.5", 0.5)]
    report = render_markdown(_results(conds, ["task 'x': CWE-99999 is not in MITRE's list"]))
    sections = _sections(report)
    assert report.count("## Metrics") == 1
    metrics = sections["Metrics"]
    for term in ("**pass@k**", "**vulnerable@k**", "**secure@k**", "**func_sec@k**",
                 "**sec@k**", "**security_rate**", "*test*-based", "*static*-based", "*HM*",
                 "**n/a**", "k > n"):
        assert term in metrics, term
    with_na = [title for title, body in sections.items()
               if any(line.startswith("|") and "n/a" in line for line in body.splitlines())]
    assert "Test-based, static-based and their harmonic mean (SALLM Table III)" in with_na
    for title in with_na:
        notes = [ln for ln in sections[title].splitlines() if ln.startswith("- n/a: ")]
        assert notes, f"n/a without a note in section {title!r}"
    table3 = sections["Test-based, static-based and their harmonic mean (SALLM Table III)"]
    assert "- n/a: k=5 > n=3 samples per task: vulnerable@5, secure@5" in table3
    assert "Tasks without a security test" in table3 and "1 of 3" in table3
    assert sections["Warnings"].count("CWE-99999") == 1


def test_report_counts_verdict_sources_and_lists_blind_tasks(tmp_path: Path) -> None:
    report = render_markdown(_results([_score(tmp_path)]))
    verdicts = _sections(report)[
        "Verdicts: what made samples vulnerable, and why others are neither"]
    assert "| m@T0 | 9 | 2 | 1 | 1 | 1 | 4 |" in verdicts
    for reason in ("security test errored", "assessment timed out (timeout)",
                   "not assessed: syntax_error", "an analyzer failed, nothing else decided"):
        assert f"| m@T0 | {reason} | 1 |" in verdicts
    blind = _sections(report)["Tasks no check can judge"]
    assert "| frame | CWE-1021 | no security test; no enabled analyzer" in blind
    assert "| m@T0 | 1 of 3 | 3 of 9 | 1 |" in blind
    assert "1 task(s) that no security test and no analyzer rule can judge" in report


@pytest.mark.parametrize("ks", [(1, 5), (5,), (3, 4)])
def test_every_na_in_a_table_has_a_note_in_its_section(
        tmp_path: Path, ks: tuple[int, ...]) -> None:
    conds = [_score(tmp_path / "a", ks=ks), _score(tmp_path / "b", "m@T0.5", 0.5, ks=ks)]
    sections = _sections(render_markdown(_results(conds)))
    with_na = [title for title, body in sections.items()
               if any(line.startswith("|") and "n/a" in line for line in body.splitlines())]
    assert with_na
    for title in with_na:
        assert any(ln.startswith("- n/a: ") for ln in sections[title].splitlines()), title
    if min(ks) == 5:  # the per-CWE table shows the smallest k
        assert "- n/a: k=5 > n=3 samples per task: pass@5, vulnerable@5, secure@5" in (
            sections["Per CWE: m@T0"])


def test_fixed_at_1_columns_say_when_k_1_was_not_computed(tmp_path: Path) -> None:
    conds = [_score(tmp_path / "a", ks=(3,)), _score(tmp_path / "b", "m@T0.5", 0.5, ks=(3,))]
    sections = _sections(render_markdown(_results(conds)))
    for title in ("Headline (combined static + test verdicts; 95% bootstrap intervals over "
                  "tasks)", "m: metrics vs temperature"):
        assert "| n/a |" in sections[title]
        assert "- n/a: not computed: k=1 is not among the run's k values: pass@1" in (
            sections[title]), title


@pytest.mark.parametrize("ks", [(1,), (1, 3)])
def test_no_na_no_note(tmp_path: Path, ks: tuple[int, ...]) -> None:
    report = render_markdown(_results([_score(tmp_path, ks=ks)]))
    assert not [ln for ln in report.splitlines() if ln.startswith("|") and "n/a" in ln]
    assert "- n/a:" not in report


def test_per_cwe_note_names_the_cwes_when_only_some_rows_are_na(tmp_path: Path) -> None:
    cond = _score(tmp_path)
    row = cond.per_cwe["CWE-22"]
    row.metrics["pass@1"] = None
    row.undefined["pass@1"] = "no task has a functional test"
    section = _sections(render_markdown(_results([cond])))["Per CWE: m@T0"]
    assert "- n/a: no task has a functional test: pass@1 (CWE-22)" in section
