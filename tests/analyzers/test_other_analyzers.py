from __future__ import annotations

import shutil
from typing import Any

import pytest

from vulnbench.analyzers import AnalysisInput, create_analyzer
from vulnbench.analyzers.c_tools import parse_cppcheck, parse_gcc
from vulnbench.analyzers.codeql import parse_sarif
from vulnbench.cwe import cwe_name, family, in_family

DOUBLE_FREE = ("#include <stdlib.h>\nvoid f(char *p, int e) {\n  free(p);\n"
               "  if (e) free(p);\n}\n")
SAFE_C = "#include <stdlib.h>\nvoid f(char *p) {\n  free(p);\n}\n"


def test_gcc_diagnostics_parse_with_cwe() -> None:
    text = ("s0.c: In function 'f':\n"
            "s0.c:4:10: warning: double-'free' of 'p' [CWE-415] [-Wanalyzer-double-free]\n"
            "s1.c:2:1: error: expected ';' before '}' token\n"
            "s0.c:9:3: warning: unused variable 'x' [-Wunused-variable]\n")
    out = parse_gcc(text, ["s0.c", "s1.c"])
    assert [(f.rule_id, f.cwe, f.line) for f in out["s0.c"].findings] == [
        ("analyzer-double-free", ["CWE-415"], 4)]
    assert out["s1.c"].error.startswith("gcc: expected")


def test_cppcheck_xml_parse() -> None:
    xml = """<?xml version="1.0"?><results version="2"><cppcheck version="2.10"/><errors>
    <error id="doubleFree" severity="error" msg="Memory pointed to by 'p' is freed twice."
      cwe="415"><location file="s0.c" line="4" column="3"/></error>
    <error id="syntaxError" severity="error" msg="Unmatched '{'."><location file="s1.c"
      line="1"/></error></errors></results>"""
    out = parse_cppcheck(xml, ["s0.c", "s1.c"])
    assert [(f.rule_id, f.cwe, f.line, f.severity) for f in out["s0.c"].findings] == [
        ("doubleFree", ["CWE-415"], 4, "high")]
    assert "syntaxError" in out["s1.c"].error


@pytest.mark.parametrize("name", ["gcc-analyzer", "cppcheck"])
def test_c_analyzers_find_a_double_free(name: str) -> None:
    analyzer = create_analyzer(name)
    if analyzer.unavailable():
        pytest.skip(reason=f"{name} not installed: {analyzer.unavailable()}")
    out = analyzer.analyze([AnalysisInput("bad", DOUBLE_FREE, "c"),
                            AnalysisInput("ok", SAFE_C, "c"),
                            AnalysisInput("broken", "int f( {", "c"),
                            AnalysisInput("py", "x = 1")])
    res = {r.id: r for r in out}
    assert any("CWE-415" in f.cwe for f in res["bad"].findings)
    assert res["ok"].findings == [] and res["ok"].error == ""
    assert res["broken"].error
    assert "does not analyze python" in res["py"].error


def test_missing_c_tool_reports_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    for name in ("cppcheck", "gcc-analyzer", "codeql"):
        analyzer = create_analyzer(name)
        assert analyzer.unavailable()
        [res] = analyzer.analyze([AnalysisInput("a", SAFE_C, "c")])
        assert res.error == analyzer.unavailable() and res.findings == []


SARIF: dict[str, Any] = {
    "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
    "runs": [{
        "tool": {"driver": {"name": "CodeQL", "rules": [
            {"id": "py/sql-injection", "properties": {
                "tags": ["security", "external/cwe/cwe-089"], "security-severity": "8.8"}},
            {"id": "py/weak-crypto", "defaultConfiguration": {"level": "warning"},
             "properties": {"tags": ["external/cwe/cwe-327", "external/cwe/cwe-328"]}}]}},
        "artifacts": [{"location": {"uri": "src/s1.py"}}],
        "results": [
            {"ruleId": "py/sql-injection", "ruleIndex": 0, "message": {"text": "SQL built"},
             "locations": [{"physicalLocation": {"artifactLocation": {"uri": "s0.py"},
                                                 "region": {"startLine": 7}}}]},
            {"ruleIndex": 1, "message": {"text": "MD5"}, "level": "warning",
             "locations": [{"physicalLocation": {"artifactLocation": {"index": 0},
                                                 "region": {"startLine": 3}}}]},
        ]}]}


def test_sarif_parsing() -> None:
    out = parse_sarif(SARIF)
    [sqli] = out["s0.py"]
    assert (sqli.rule_id, sqli.cwe, sqli.line, sqli.severity) == (
        "py/sql-injection", ["CWE-89"], 7, "high")
    [weak] = out["s1.py"]
    assert (weak.rule_id, weak.cwe, weak.line, weak.severity) == (
        "py/weak-crypto", ["CWE-327", "CWE-328"], 3, "medium")
    assert parse_sarif({"version": "2.1.0", "runs": []}) == {}


def test_cwe_names_and_family() -> None:
    assert "SQL" in cwe_name("CWE-89")
    assert in_family(["CWE-943"], ["CWE-89"])  # parent (MITRE CWE-1000)
    assert in_family(["CWE-89"], ["CWE-943"])  # child
    assert in_family(["CWE-798"], ["CWE-259"])  # declared equivalence
    assert in_family(["CWE-78"], ["CWE-77"])
    assert not in_family(["CWE-79"], ["CWE-89"])
    assert not in_family(["CWE-20"], ["CWE-89"])  # pillar-level links are not a family
    assert 36 in family("CWE-22") and 23 in family("CWE-22")


codeshield_missing = create_analyzer("codeshield").unavailable()


@pytest.mark.skipif(bool(codeshield_missing), reason=codeshield_missing or "-")
def test_codeshield_semgrep_layer_really_runs() -> None:
    code = "import dill\n\n\ndef load(blob):\n    return dill.loads(blob)\n"
    weak = "import hashlib\n\n\ndef h(x):\n    return hashlib.md5(x).hexdigest()\n"
    out = create_analyzer("codeshield").analyze([AnalysisInput("dill", code),
                                                 AnalysisInput("md5", weak),
                                                 AnalysisInput("clean", "x = 1\n")])
    res = {r.id: r for r in out}
    assert any(f.rule_id.startswith("semgrep:") and f.cwe == ["CWE-502"] and f.line == 5
               for f in res["dill"].findings), res["dill"]
    assert any(f.rule_id.startswith("regex:") and "CWE-328" in f.cwe
               for f in res["md5"].findings)
    assert res["clean"].findings == [] and res["clean"].error == ""
