"""The ruff analyzer (ruff's flake8-bandit S rules) against the real ruff."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from vulnbench.analyzers import AnalysisInput, create_analyzer, informational
from vulnbench.analyzers import ruff_security as rs
from vulnbench.analyzers.ruff_security import RuffSecurityAnalyzer
from vulnbench.errors import MissingDependencyError
from vulnbench.records import Finding

PICKLE = "import pickle\n\n\ndef load(blob):\n    return pickle.loads(blob)\n"
SHELL = ("import subprocess\n\n\ndef backup(path):\n"
         "    subprocess.run(f'tar -czf out.tgz {path}', shell=True)\n")
SQL = ("def find(conn, name):\n"
       "    return conn.execute(\"SELECT * FROM users WHERE name = '%s'\" % name)\n")
SAFE = ("import subprocess\n\n\ndef find(conn, name):\n"
        "    subprocess.run(['git', 'log', '--author', name], check=True)\n"
        "    return conn.execute('SELECT * FROM users WHERE name = ?', (name,))\n")
BROKEN = "def find(conn, name:\n    return eval(name)\n"
NOQA = "import yaml\n\n\ndef read(text):\n    return yaml.load(text)  # noqa: S506\n"

BATCH = [AnalysisInput("pickle", PICKLE), AnalysisInput("shell", SHELL),
         AnalysisInput("sql", SQL), AnalysisInput("safe", SAFE),
         AnalysisInput("broken", BROKEN), AnalysisInput("noqa", NOQA),
         AnalysisInput("c-program", "int main(void) { return 0; }\n", language="c")]


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    out = create_analyzer("ruff").analyze(BATCH)
    assert [r.id for r in out] == [item.id for item in BATCH]  # one result each, batch order
    return {r.id: r for r in out}


def _rules(result: Any) -> set[tuple[str, str]]:
    return {(f.rule_id, c) for f in result.findings for c in f.cwe}


def _counted(result: Any) -> list[Finding]:
    return [f for f in result.findings if not informational(f)]


def test_registered_with_a_version_in_the_cache_key() -> None:
    analyzer = create_analyzer("ruff")
    assert isinstance(analyzer, RuffSecurityAnalyzer)
    version = analyzer.version()
    assert version.startswith("ruff ") and "+S-py311-map-" in version


def test_positives_map_to_their_cwe(results: dict[str, Any]) -> None:
    assert ("S301", "CWE-502") in _rules(results["pickle"])
    assert ("S602", "CWE-78") in _rules(results["shell"])
    assert ("S608", "CWE-89") in _rules(results["sql"])
    pickle = next(f for f in results["pickle"].findings if f.rule_id == "S301")
    assert pickle.line == 5 and pickle.tool == "ruff"
    assert all(results[k].error == "" for k in ("pickle", "shell", "sql", "safe", "noqa"))


def test_findings_land_in_the_right_samples(results: dict[str, Any]) -> None:
    assert {c for _, c in _rules(results["sql"])} == {"CWE-89"}
    assert not {c for _, c in _rules(results["pickle"])} & {"CWE-78", "CWE-89"}


def test_safe_program_has_only_informational_findings(results: dict[str, Any]) -> None:
    safe = results["safe"]
    assert {f.rule_id for f in safe.findings} >= {"S603", "S607"}  # list argv, no shell
    assert all(informational(f) for f in safe.findings)
    assert _counted(safe) == []
    assert _counted(results["shell"])  # shell=True (S602) is not a reminder


def test_noqa_comment_from_the_model_does_not_hide_issues(results: dict[str, Any]) -> None:
    assert ("S506", "CWE-502") in _rules(results["noqa"])


def test_unparsable_program_is_an_error_not_a_clean_bill(results: dict[str, Any]) -> None:
    assert results["broken"].error.startswith("ruff: syntax error")
    assert "(line 1)" in results["broken"].error


def test_non_python_program_is_an_error(results: dict[str, Any]) -> None:
    assert results["c-program"].findings == []
    assert "does not analyze c" in results["c-program"].error


def test_newer_syntax_than_the_runtime_is_an_error() -> None:
    [res] = create_analyzer("ruff").analyze([AnalysisInput("f", "x = f'{'a'}'\n")])
    assert "syntax error" in res.error


def test_one_ruff_process_per_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    real_run = subprocess.run

    def counting_run(cmd: list[str], *args: Any, **kwargs: Any) -> Any:
        calls.append(list(cmd))
        return real_run(cmd, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", counting_run)
    batch = [AnalysisInput(f"p{i}", PICKLE) for i in range(30)]
    out = create_analyzer("ruff").analyze([*batch, AnalysisInput("sql", SQL)])
    assert len(calls) == 1 and "--output-format" in calls[0]
    assert all(("S301", "CWE-502") in _rules(r) for r in out[:30])
    assert _rules(out[-1]) == {("S608", "CWE-89")}


def test_empty_batch_runs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_run(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("ruff should not run")

    monkeypatch.setattr(subprocess, "run", no_run)
    assert create_analyzer("ruff").analyze([]) == []


def test_tool_failure_is_every_sample_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(cmd: list[str], *args: Any, **kwargs: Any) -> Any:
        return subprocess.CompletedProcess(cmd, 2, stdout="", stderr="ruff: boom\n")

    monkeypatch.setattr(subprocess, "run", failing)
    out = create_analyzer("ruff").analyze(BATCH[:2])
    assert [r.error for r in out] == ["ruff failed: exit 2: ruff: boom"] * 2


def test_unreadable_report_is_every_sample_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def garbage(cmd: list[str], *args: Any, **kwargs: Any) -> Any:
        return subprocess.CompletedProcess(cmd, 0, stdout="not json", stderr="")

    monkeypatch.setattr(subprocess, "run", garbage)
    out = create_analyzer("ruff").analyze(BATCH[:2])
    assert all(r.error == "ruff failed: no JSON report" for r in out)


def test_failed_to_lint_warning_marks_that_file() -> None:
    found, errors = rs.parse_report("[]", "warning: Failed to lint s3.py: stream did not "
                                    "contain valid UTF-8\n")
    assert found == [] and errors == [("s3.py", "ruff: stream did not contain valid UTF-8")]


def test_every_stable_s_rule_of_this_ruff_has_a_cwe() -> None:
    proc = subprocess.run([rs.ruff_program(), "rule", "--all", "--output-format", "json"],
                          capture_output=True, text=True, check=True)
    codes = {r["code"] for r in json.loads(proc.stdout)
             if r.get("linter") == "flake8-bandit" and not r.get("preview")}
    assert codes and codes <= set(rs.CWE), f"give these a CWE: {codes - set(rs.CWE)}"
    assert all(rs.CWE[c] for c in codes)


def test_missing_ruff_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ruff.__main__", None)
    rs.ruff_program.cache_clear()
    try:
        with pytest.raises(MissingDependencyError, match=r"vulnbench\[lint-analyzers\]"):
            create_analyzer("ruff").analyze(BATCH[:1])
    finally:
        rs.ruff_program.cache_clear()
