"""``vulnbench scan``: a small folder (SQL and command injection, a safe query), SARIF 2.1.0
structure, per-sample error status (syntax error, 5 MB, non-UTF-8), JSONL input and the
--fail-on exit code. SARIF is validated against sarif_check.SARIF_SUBSET (see there why a
subset)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from sarif_check import validate_sarif

from vulnbench.analyzers import AnalysisResult, Analyzer
from vulnbench.analyzers._tools import find_semgrep
from vulnbench.records import Finding
from vulnbench.scan import collect_inputs, exit_code, run_scan, to_sarif

needs_semgrep = pytest.mark.skipif(find_semgrep() is None,
                                   reason="semgrep is not installed (scripts/setup.sh)")

SQLI = '''import sqlite3

from flask import Flask, request

app = Flask(__name__)


@app.route("/user")
def user():
    conn = sqlite3.connect("app.db")
    name = request.args.get("name")
    rows = conn.execute(f"SELECT * FROM users WHERE name = '{name}'").fetchall()
    return {"rows": rows}
'''
CMD = '''import os

from flask import Flask, request

app = Flask(__name__)


@app.route("/ping")
def ping():
    os.system("ping -c 1 " + request.args["host"])
    return "ok"
'''
PARAM = '''import sqlite3


def find_user(conn: sqlite3.Connection, name: str) -> list[tuple]:
    return conn.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchall()
'''

def _vulnbench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from vulnbench.cli.main import main; main()",
                           *args], capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    (folder / "sqli.py").write_text(SQLI)
    (folder / "cmd.py").write_text(CMD)
    (folder / "param.py").write_text(PARAM)
    return folder


@needs_semgrep
def test_scan_demo_folder_to_sarif(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.sarif"
    proc = _vulnbench("scan", str(demo), "--format", "sarif", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    validate_sarif(doc)
    cwes: dict[str, set[str]] = {}
    for run in doc["runs"]:
        for res in run["results"]:
            uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            cwes.setdefault(Path(uri).name, set()).update(res["properties"]["cwe"])
    assert "CWE-89" in cwes["sqli.py"]
    assert "CWE-78" in cwes["cmd.py"]
    assert "param.py" not in cwes
    semgrep_run = next(r for r in doc["runs"] if r["tool"]["driver"]["name"] == "semgrep")
    assert {r["ruleId"] for r in semgrep_run["results"]} == {"vb-py-sql-injection",
                                                            "vb-py-command-injection"}


@needs_semgrep
def test_fail_on_sets_the_exit_code(demo: Path) -> None:
    bad = _vulnbench("scan", str(demo / "cmd.py"), "--fail-on", "high", "--format", "json")
    assert bad.returncode == 1, bad.stderr
    assert json.loads(bad.stdout)["results"][str(demo / "cmd.py")]["findings"]
    good = _vulnbench("scan", str(demo / "param.py"), "--fail-on", "low")
    assert good.returncode == 0, good.stderr


@needs_semgrep
def test_broken_huge_and_non_utf8_inputs_get_an_error_status(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("def f(:\n    return 1\n")
    (tmp_path / "huge.py").write_text("x = 1\n" * 900_000)  # 5.4 MB
    (tmp_path / "latin1.py").write_bytes("name = 'café'\n".encode("latin-1"))
    (tmp_path / "fine.py").write_text(CMD)
    report = run_scan(collect_inputs([tmp_path]), [_analyzer("semgrep")])
    status = {Path(r.path).name: r for r in report.results}
    assert status["broken.py"].status == "error" and "syntax" in status["broken.py"].errors[0]
    assert status["huge.py"].status == "error" and "too large" in status["huge.py"].errors[0]
    assert status["latin1.py"].status == "error" and "UTF-8" in status["latin1.py"].errors[0]
    assert status["fine.py"].status == "ok" and status["fine.py"].findings
    validate_sarif(to_sarif(report))


def _analyzer(name: str) -> Analyzer:
    from vulnbench.analyzers import create_analyzer

    return create_analyzer(name)


class _Fake(Analyzer):
    name = "fake"

    def version(self) -> str:
        return "1"

    def analyze(self, batch: Any) -> list[AnalysisResult]:
        out = []
        for item in batch:
            res = AnalysisResult(item.id)
            if "boom" in item.code:
                res.error = "fake crashed on this one"
            elif "bad" in item.code:
                res.findings.append(Finding(tool="fake", rule_id="F1", cwe=["CWE-89"], line=2,
                                            severity="medium", message="bad"))
            out.append(res)
        return out


class _Missing(_Fake):
    name = "missing"

    def unavailable(self) -> str:
        return "missing is not installed: pip install missing"


def test_jsonl_input_errors_and_fail_on_levels(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    rows = [{"id": "a", "code": "x = 'bad'\n", "language": "python"},
            {"id": "b", "code": "x = 1\n"},
            {"id": "c", "code": "boom = 1\n"},
            {"id": "d", "code": "def f(:\n", "language": "python"}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\nnot json\n")
    items = collect_inputs([path])
    assert [i.id for i in items] == ["a", "b", "c", "d", "in.jsonl:5"]
    report = run_scan(items, [_Fake(), _Missing()])
    res = {r.id: r for r in report.results}
    assert report.unavailable == {"missing": "missing is not installed: pip install missing"}
    assert [f.rule_id for f in res["a"].findings] == ["F1"] and res["a"].status == "ok"
    assert res["b"].status == "ok" and not res["b"].findings
    assert res["c"].status == "error" and "crashed" in res["c"].errors[0]
    assert res["d"].status == "error" and "syntax" in res["d"].errors[0]
    assert res["in.jsonl:5"].status == "error"
    # c, d and line 5 were not (fully) analyzed: that fails the gate (3) unless allowed, and a
    # finding at --fail-on (1) wins over it
    assert exit_code(report, "medium") == 1 and exit_code(report, "high") == 3
    assert exit_code(report, None) == 3 and exit_code(report, "high", allow_unscanned=True) == 0
    doc = to_sarif(report)
    validate_sarif(doc)
    assert json.loads(json.dumps(report.to_json()))["results"]["a"]["findings"][0]["cwe"] == [
        "CWE-89"]


def test_schema_rejects_a_broken_sarif() -> None:
    with pytest.raises(jsonschema.ValidationError):
        validate_sarif({"version": "2.0.0", "runs": []})
    with pytest.raises(jsonschema.ValidationError):
        validate_sarif({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]})
