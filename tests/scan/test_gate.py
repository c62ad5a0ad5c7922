"""The gate fails closed: whatever vulnbench scan could not analyze (too large, NUL bytes, not
UTF-8, unreadable, a symlink loop, an empty folder, an analyzer crash, no analyzer for the
language, a requested analyzer missing) fails it with its own exit code and one line per
program naming the user's path, unless --allow-unscanned makes it a warning. SARIF says so."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from sarif_check import validate_sarif

from vulnbench.analyzers import AnalysisInput, AnalysisResult, Analyzer
from vulnbench.records import Finding
from vulnbench.scan import collect_inputs, evaluate, exit_code, run_scan, to_sarif

CMD = 'import os\n\n\ndef ping(host):\n    os.system("ping -c 1 " + host)\n'
PARAM = "def find(conn, name):\n    return conn.execute('SELECT 1 WHERE n = ?', (name,))\n"
# each a way the old gate passed a file it never analyzed; the reason it must now give
UNREADABLE = {
    "oversized": ("big.py", ("x = 1\n" * 200_000).encode(), "too large (1200000 bytes"),
    "nul": ("nul.py", CMD.encode() + b"\x00\n", "binary file (NUL byte at offset"),
    "non_utf8": ("latin1.py", "name = 'caf\xe9'\n".encode("latin-1"),
                 "not UTF-8 text (invalid byte at offset 11)"),
}
# a semgrep stand-in: what it does to each staged program is written in the program
FAKE_SEMGREP = '''
import json, pathlib, sys
if "--version" in sys.argv:
    print("1.0.0-fake"); sys.exit(0)
folder = pathlib.Path(sys.argv[-1])
files = sorted(p for p in folder.iterdir() if p.is_file())
if any("FAKE_CRASH" in p.read_text() for p in files):
    print("fatal: rules could not load", file=sys.stderr); sys.exit(2)
report = {"results": [], "errors": [], "paths": {"scanned": []}}
for p in files:
    text = p.read_text()
    if "FAKE_SKIP" not in text:
        report["paths"]["scanned"].append(str(p))
    if "FAKE_PARTIAL" in text:
        report["errors"].append({"level": "warn", "type": ["PartialParsing", []], "path": str(p),
                                 "message": f"Syntax error at line {p}:2:\\n `x` unexpected"})
    if "FAKE_FATAL" in text:
        report["errors"].append({"level": "error", "type": "Fatal",
                                 "message": f"out of memory in {folder}"})
print(json.dumps(report))
'''


def _vulnbench(*args: str, cwd: Path, env: dict[str, str] | None = None
               ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from vulnbench.cli.main import main; main()",
                           *args], capture_output=True, text=True, timeout=300, check=False,
                          cwd=cwd, env={**os.environ, **(env or {})})


def _lines(stderr: str, name: str) -> list[str]:
    return [line for line in stderr.splitlines() if name in line]


def _gate_run(doc: dict[str, Any]) -> dict[str, Any]:
    run = doc["runs"][0]
    assert run["tool"]["driver"]["name"] == "vulnbench-scan"
    return dict(run["invocations"][0])


@pytest.mark.parametrize("kind", sorted(UNREADABLE))
def test_unanalyzable_file_fails_the_gate_unless_allowed(kind: str, tmp_path: Path) -> None:
    name, data, reason = UNREADABLE[kind]
    (tmp_path / name).write_bytes(data)
    (tmp_path / "clean.py").write_text(PARAM)
    args = ["scan", name, "clean.py", "--analyzer", "bandit", "--fail-on", "high",
            "--format", "sarif", "--out", "out.sarif"]
    proc = _vulnbench(*args, cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr
    lines = _lines(proc.stderr, name)
    assert len(lines) == 1 and lines[0].startswith(f"error: unscanned: {name}: {reason}")
    assert str(tmp_path) not in proc.stderr and "None" not in proc.stderr
    assert not _lines(proc.stderr, "clean.py")
    doc = json.loads((tmp_path / "out.sarif").read_text())
    validate_sarif(doc)
    for run in doc["runs"]:
        assert run["invocations"][0]["executionSuccessful"] is False
        assert run["invocations"][0]["exitCode"] == 3
    notes = _gate_run(doc)["toolExecutionNotifications"]
    assert [(n["level"], n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
            for n in notes] == [("error", name)]
    assert reason in notes[0]["message"]["text"] and str(tmp_path) not in json.dumps(doc)

    allowed = _vulnbench(*args, "--allow-unscanned", cwd=tmp_path)
    assert allowed.returncode == 0, allowed.stderr
    assert [line.split(": ", 2)[:2] for line in _lines(allowed.stderr, name)] == [
        ["warning", "unscanned (allowed)"]]
    doc = json.loads((tmp_path / "out.sarif").read_text())
    validate_sarif(doc)
    gate = _gate_run(doc)
    assert gate["executionSuccessful"] is True and gate["exitCode"] == 0
    assert [n["level"] for n in gate["toolExecutionNotifications"]] == ["warning"]


def test_semgrep_messages_name_the_users_file(tmp_path: Path) -> None:
    """The analyzer's staged copy (<tmp>/vb-semgrep-*/s0.py) never shows; a file semgrep
    passed over, and a fatal error naming no file, leave the programs unscanned."""
    fake = tmp_path / "fake-semgrep"
    fake.write_text(f"#!{sys.executable}\n{FAKE_SEMGREP}")
    fake.chmod(0o755)
    src = tmp_path / "src"
    src.mkdir()
    (src / "partial.py").write_text("x = 'FAKE_PARTIAL'\n")
    (src / "skipped.py").write_text("x = 'FAKE_SKIP'\n")
    (src / "fine.py").write_text(PARAM)
    env = {"VULNBENCH_SEMGREP": str(fake)}
    proc = _vulnbench("scan", "src", "--analyzer", "semgrep", "--format", "json", cwd=tmp_path,
                      env=env)
    assert proc.returncode == 3, proc.stderr
    partial = os.path.join("src", "partial.py")
    assert _lines(proc.stderr, "partial.py") == [
        f"error: unscanned: {partial}: semgrep: PartialParsing: Syntax error at line "
        f"{partial}:2: `x` unexpected"]
    assert _lines(proc.stderr, "skipped.py") == [
        f"error: unscanned: {os.path.join('src', 'skipped.py')}: semgrep: file was not scanned"]
    assert not _lines(proc.stderr, "fine.py") and "vb-semgrep" not in proc.stdout + proc.stderr
    assert json.loads(proc.stdout)["gate"]["exit_code"] == 3

    (src / "fine.py").write_text("x = 'FAKE_FATAL'\n")
    fatal = _vulnbench("scan", "src/fine.py", "--analyzer", "semgrep", cwd=tmp_path, env=env)
    assert fatal.returncode == 3
    assert _lines(fatal.stderr, "fine.py") == [
        "error: unscanned: src/fine.py: semgrep: out of memory in <work folder>"]
    (src / "fine.py").write_text("x = 'FAKE_CRASH'\n")
    crash = _vulnbench("scan", "src/fine.py", "--analyzer", "semgrep", cwd=tmp_path, env=env)
    assert crash.returncode == 3
    assert _lines(crash.stderr, "fine.py") == [
        "error: unscanned: src/fine.py: semgrep failed: fatal: rules could not load"]


def test_requested_analyzer_missing_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(PARAM)
    (tmp_path / "b.c").write_text("int main(void) { return 0; }\n")
    env = {"VULNBENCH_SEMGREP": "/nonexistent/semgrep"}
    asked = _vulnbench("scan", "a.py", "--analyzer", "semgrep", "--analyzer", "bandit",
                       cwd=tmp_path, env=env)
    assert asked.returncode == 2
    assert asked.stderr.startswith("error: --analyzer semgrep cannot run: semgrep is not")
    assert "setup.sh" in asked.stderr
    # the default pair: semgrep missing is said once, bandit still covers Python ...
    default = _vulnbench("scan", "a.py", "--format", "json", cwd=tmp_path, env=env)
    assert default.returncode == 0, default.stderr
    assert default.stderr.count("semgrep skipped") == 1
    assert set(json.loads(default.stdout)["analyzers"]) == {"bandit"}
    # ... but not C: nothing analyzed b.c
    c_file = _vulnbench("scan", "a.py", "b.c", cwd=tmp_path, env=env)
    assert c_file.returncode == 3
    assert _lines(c_file.stderr, "b.c") == [
        "error: unscanned: b.c: no analyzer for c could run (semgrep unavailable)"]


class _Fake(Analyzer):
    name = "fake"

    def version(self) -> str:
        return "1"

    def analyze(self, batch: Sequence[AnalysisInput]) -> list[AnalysisResult]:
        out = []
        for item in batch:
            res = AnalysisResult(item.id)
            if "bad" in item.code:
                res.findings.append(Finding(tool="fake", rule_id="F1", cwe=["CWE-89"], line=2,
                                            severity="high", message="bad"))
            out.append(res)
        return out


class _Crashing(_Fake):
    name = "crashing"

    def analyze(self, batch: Sequence[AnalysisInput]) -> list[AnalysisResult]:
        raise RuntimeError("segfault in the parser")


class _Forgetful(_Fake):
    name = "forgetful"

    def analyze(self, batch: Sequence[AnalysisInput]) -> list[AnalysisResult]:
        return super().analyze(batch)[1:]


def _jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_crash_missing_result_and_uncovered_language_are_unscanned(tmp_path: Path) -> None:
    rows = [{"id": "a", "code": "x = 'bad'\n"}, {"id": "b", "code": "y = 1\n"},
            {"id": "js", "code": "alert(1)", "language": "javascript"}]
    items = collect_inputs([_jsonl(tmp_path / "in.jsonl", rows)])
    crashed = {r.id: r for r in run_scan(items, [_Fake(), _Crashing()]).results}
    assert crashed["b"].errors == [
        "crashing: crashed (RuntimeError: segfault in the parser)"]
    assert crashed["a"].findings and crashed["a"].status == "error"
    assert crashed["js"].errors == ["no analyzer for javascript among fake, crashing"]
    assert crashed["js"].where == f"{tmp_path / 'in.jsonl'}:3 (id js)"
    forgot = {r.id: r for r in run_scan(items, [_Forgetful()]).results}
    assert forgot["a"].errors == ["forgetful: returned no result for this program"]
    assert forgot["b"].errors == []


def test_findings_win_over_unscanned_and_sarif_records_both(tmp_path: Path) -> None:
    rows = [{"id": "a", "code": "x = 'bad'\n"}, {"id": "nul", "code": "x = 1\x00"},
            {"id": "sur", "code": "x = '\ud800'"}]
    report = run_scan(collect_inputs([_jsonl(tmp_path / "in.jsonl", rows)]), [_Fake()])
    errors = {r.id: r.errors for r in report.results}
    assert errors == {"a": [], "nul": ["binary file (NUL byte at offset 5)"],
                      "sur": ["not UTF-8 text (invalid character at offset 5)"]}
    assert exit_code(report, "high") == 1 and exit_code(report, None) == 3
    assert exit_code(report, None, allow_unscanned=True) == 0
    gate = evaluate(report, "high")
    doc = to_sarif(report, gate)
    validate_sarif(doc)
    inv = _gate_run(doc)
    assert (inv["executionSuccessful"], inv["exitCode"]) == (False, 1)
    assert [n["message"]["text"].split(": not scanned")[0]
            for n in inv["toolExecutionNotifications"]] == [
        f"{tmp_path / 'in.jsonl'}:2 (id nul)", f"{tmp_path / 'in.jsonl'}:3 (id sur)"]


def test_nothing_to_scan_is_unscanned(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "README.md").write_text("# no code\n")
    (tmp_path / "none.jsonl").write_text("\n")
    (tmp_path / "x.js").write_text("eval(location.hash)\n")
    for target, why in [("empty", "no .py, .c or .h files in this folder"),
                        ("docs", "no .py, .c or .h files in this folder"),
                        ("none.jsonl", "no programs in this JSONL file"),
                        ("x.js", "unsupported file type .js")]:
        report = run_scan(collect_inputs([tmp_path / target]), [_Fake()])
        assert [(r.where, r.errors) for r in report.results] == [
            (str(tmp_path / target), [why])]
        assert exit_code(report, "low") == 3
        assert exit_code(report, "low", allow_unscanned=True) == 0


def test_symlink_loops_end_and_unreadable_links_are_unscanned(tmp_path: Path) -> None:
    root = tmp_path / "code"
    (root / "pkg").mkdir(parents=True)
    (root / "a.py").write_text("x = 1\n")
    (root / "pkg" / "up").symlink_to("..")  # a folder loop: walked once, not forever
    (root / "pkg" / "b.py").symlink_to("c.py")
    (root / "pkg" / "c.py").symlink_to("b.py")  # a file loop: unreadable, said so
    (root / "gone.py").symlink_to("nowhere.py")
    report = run_scan(collect_inputs([root]), [_Fake()])
    got = {os.path.relpath(r.where, root): r.errors for r in report.results}
    assert got == {"a.py": [], "gone.py": ["cannot read: No such file or directory"],
                   os.path.join("pkg", "b.py"): ["cannot read: Too many levels of symbolic links"],
                   os.path.join("pkg", "c.py"): ["cannot read: Too many levels of symbolic links"]}
    assert exit_code(report, None) == 3


def test_bom_is_valid_source_not_a_syntax_error(tmp_path: Path) -> None:
    (tmp_path / "bom.py").write_bytes(b"\xef\xbb\xbfx = 'bad'\n")
    report = run_scan(collect_inputs([tmp_path / "bom.py"]), [_Fake()])
    assert report.results[0].errors == [] and report.results[0].findings
    assert exit_code(report, "high") == 1 and exit_code(report, None) == 0
