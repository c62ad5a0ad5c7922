"""``vulnbench scan``: the issue's demonstration folder, SARIF 2.1.0 structure, per-sample error
status (syntax error, 5 MB, non-UTF-8), JSONL input and the --fail-on exit code.

The official SARIF 2.1.0 JSON schema is not shipped by any installed package here, so the
SARIF is validated against SARIF_SUBSET below: a schema written for this test from the
SARIF 2.1.0 specification, covering the required properties of the objects vulnbench emits
(sarifLog, run, tool.driver, reportingDescriptor, result, location, region, invocation,
notification)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

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

_MESSAGE = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}
_LOCATION = {"type": "object", "properties": {"physicalLocation": {
    "type": "object", "required": ["artifactLocation"], "properties": {
        "artifactLocation": {"type": "object", "required": ["uri"],
                             "properties": {"uri": {"type": "string", "format": "uri-reference"}}},
        "region": {"type": "object", "required": ["startLine"],
                   "properties": {"startLine": {"type": "integer", "minimum": 1}}}}}}}
SARIF_SUBSET: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object", "required": ["version", "runs"],
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"const": "2.1.0"},
        "runs": {"type": "array", "items": {
            "type": "object", "required": ["tool"],
            "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {
                    "driver": {"type": "object", "required": ["name"], "properties": {
                        "name": {"type": "string"}, "version": {"type": "string"},
                        "rules": {"type": "array", "uniqueItems": True, "items": {
                            "type": "object", "required": ["id"], "properties": {
                                "id": {"type": "string"},
                                "shortDescription": _MESSAGE,
                                "properties": {"type": "object"}}}}}}}},
                "invocations": {"type": "array", "items": {
                    "type": "object", "required": ["executionSuccessful"], "properties": {
                        "executionSuccessful": {"type": "boolean"},
                        "toolExecutionNotifications": {"type": "array", "items": {
                            "type": "object", "required": ["message"], "properties": {
                                "message": _MESSAGE,
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "locations": {"type": "array", "items": _LOCATION}}}}}}},
                "results": {"type": "array", "items": {
                    "type": "object", "required": ["message"], "properties": {
                        "ruleId": {"type": "string"},
                        "ruleIndex": {"type": "integer", "minimum": -1},
                        "level": {"enum": ["none", "note", "warning", "error"]},
                        "message": _MESSAGE,
                        "locations": {"type": "array", "items": _LOCATION},
                        "properties": {"type": "object"}}}}}}}}}


def validate_sarif(doc: dict[str, Any]) -> None:
    jsonschema.validate(doc, SARIF_SUBSET, format_checker=jsonschema.FormatChecker())
    for run in doc["runs"]:  # what a schema cannot say: ruleIndex points at its rule
        rules = run["tool"]["driver"].get("rules", [])
        for res in run.get("results", []):
            if "ruleIndex" in res:
                assert rules[res["ruleIndex"]]["id"] == res["ruleId"]


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
    assert exit_code(report, "medium") == 1 and exit_code(report, "high") == 0
    assert exit_code(report, None) == 0
    doc = to_sarif(report)
    validate_sarif(doc)
    assert json.loads(json.dumps(report.to_json()))["results"]["a"]["findings"][0]["cwe"] == [
        "CWE-89"]


def test_schema_rejects_a_broken_sarif() -> None:
    with pytest.raises(jsonschema.ValidationError):
        validate_sarif({"version": "2.0.0", "runs": []})
    with pytest.raises(jsonschema.ValidationError):
        validate_sarif({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]})


def test_missing_tool_is_said_once_by_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                              ) -> None:
    (tmp_path / "a.py").write_text(PARAM)
    (tmp_path / "b.py").write_text(PARAM)
    monkeypatch.setenv("VULNBENCH_SEMGREP", "/nonexistent/semgrep")
    proc = _vulnbench("scan", str(tmp_path), "--analyzer", "semgrep", "--analyzer", "bandit",
                      "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("semgrep skipped") == 1
    assert "setup.sh" in proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["unavailable"]["semgrep"] and set(doc["analyzers"]) == {"bandit"}
