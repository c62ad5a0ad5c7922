from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from vulnbench.analyzers import AnalysisInput, _tools, create_analyzer
from vulnbench.analyzers.semgrep import SemgrepAnalyzer, parse_cwes

needs_semgrep = pytest.mark.skipif(_tools.find_semgrep() is None,
                                   reason="semgrep is not installed (scripts/setup.sh)")

FLASK_SQLI = '''import sqlite3
from flask import Flask, request

app = Flask(__name__)


@app.route("/u")
def user():
    conn = sqlite3.connect("x.db")
    name = request.args.get("name")
    return str(conn.execute(f"SELECT * FROM users WHERE name = '{name}'").fetchall())
'''
CMD = "import os\n\n\ndef ping(host):\n    os.system('ping -c 1 ' + host)\n"
PARAM = ("def find(conn, name):\n"
         "    return conn.execute('SELECT * FROM users WHERE name = ?', (name,)).fetchall()\n")
C_FMT = '#include <stdio.h>\nvoid show(const char *m) {\n    printf(m);\n}\n'


def test_parse_cwes() -> None:
    assert parse_cwes("CWE-89: Improper Neutralization") == ["CWE-89"]
    assert parse_cwes(["CWE-078: OS", "CWE-78: again", "cwe-22"]) == ["CWE-78", "CWE-22"]
    assert parse_cwes(None) == []


def test_registered_and_version_includes_the_rules_hash(tmp_path: Path) -> None:
    analyzer = create_analyzer("semgrep")
    assert isinstance(analyzer, SemgrepAnalyzer)
    assert "+rules-" in analyzer.version()
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "a.yaml").write_text("rules: []\n")
    before = SemgrepAnalyzer(rules).version()
    _tools.rules_hash.cache_clear()
    (rules / "a.yaml").write_text("rules: [] # edited\n")
    assert SemgrepAnalyzer(rules).version() != before


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    batch = [AnalysisInput("sqli", FLASK_SQLI), AnalysisInput("cmd", CMD),
             AnalysisInput("param", PARAM), AnalysisInput("fmt", C_FMT, "c"),
             AnalysisInput("broken", "def f(:\n  pass\n"),
             AnalysisInput("big", "x = 1\n" * 400_000),
             AnalysisInput("js", "alert(1)", "javascript")]
    out = create_analyzer("semgrep").analyze(batch)
    assert [r.id for r in out] == [b.id for b in batch]
    return {r.id: r for r in out}


@needs_semgrep
def test_findings_carry_cwe_line_and_land_in_their_sample(results: dict[str, Any]) -> None:
    sqli = results["sqli"].findings
    assert [(f.tool, f.rule_id, f.cwe, f.line) for f in sqli] == [
        ("semgrep", "vb-py-sql-injection", ["CWE-89"], 11)]
    assert sqli[0].severity == "high"
    assert {c for f in results["cmd"].findings for c in f.cwe} == {"CWE-78"}
    assert results["param"].findings == [] and results["param"].error == ""
    assert [f.cwe for f in results["fmt"].findings] == [["CWE-134"]]


@needs_semgrep
def test_errors_are_per_sample(results: dict[str, Any]) -> None:
    assert results["broken"].error and results["broken"].findings == []
    assert "too large" in results["big"].error
    assert "javascript" in results["js"].error
    assert results["sqli"].error == "" and results["cmd"].error == ""


@needs_semgrep
def test_one_semgrep_process_per_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    real = subprocess.run

    def counting(cmd: list[str], *a: Any, **k: Any) -> Any:
        calls.append(list(cmd))
        return real(cmd, *a, **k)

    monkeypatch.setattr(subprocess, "run", counting)
    out = create_analyzer("semgrep").analyze(
        [AnalysisInput(f"s{i}", CMD if i % 2 else PARAM) for i in range(20)])
    assert len([c for c in calls if "scan" in c]) == 1
    assert [bool(r.findings) for r in out] == [bool(i % 2) for i in range(20)]


def test_missing_semgrep_is_an_error_per_sample_with_install_hint(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VULNBENCH_SEMGREP", "/nonexistent/semgrep")
    analyzer = create_analyzer("semgrep")
    assert "setup.sh" in analyzer.unavailable()
    out = analyzer.analyze([AnalysisInput("a", CMD), AnalysisInput("b", PARAM)])
    assert all("setup.sh" in r.error for r in out)
    assert analyzer.version().startswith("missing+rules-")


def test_semgrep_failure_is_reported_per_sample(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    fake = tmp_path / "semgrep"
    fake.write_text("#!/bin/sh\necho 'boom: broken install' >&2\nexit 2\n")
    fake.chmod(0o755)
    monkeypatch.setenv("VULNBENCH_SEMGREP", str(fake))
    out = create_analyzer("semgrep").analyze([AnalysisInput("a", CMD)])
    assert out[0].error == "semgrep failed: boom: broken install"
