"""The dlint analyzer (flake8 with dlint's DUO codes) against the real flake8 and dlint."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from vulnbench.analyzers import AnalysisInput, create_analyzer, informational
from vulnbench.analyzers import dlint as dl
from vulnbench.analyzers.dlint import DlintAnalyzer
from vulnbench.errors import MissingDependencyError

PICKLE = "import pickle\n\n\ndef load(blob):\n    return pickle.loads(blob)\n"
SHELL = ("import subprocess\n\n\ndef backup(path):\n"
         "    subprocess.run(f'tar -czf out.tgz {path}', shell=True)\n")
YAML = "import yaml\n\n\ndef read(text):\n    return yaml.load(text)  # noqa\n"
SAFE = ("import subprocess\nimport yaml\n\n\ndef run(path, text):\n"
        "    subprocess.run(['tar', '-czf', 'out.tgz', path], check=True)\n"
        "    return yaml.safe_load(text)\n")
XML_IMPORT = "import xml.etree.ElementTree as ET\nfrom lxml import etree\n"
BROKEN = "def find(conn, name:\n    return eval(name)\n"

BATCH = [AnalysisInput("pickle", PICKLE), AnalysisInput("shell", SHELL),
         AnalysisInput("yaml", YAML), AnalysisInput("safe", SAFE),
         AnalysisInput("xml-import", XML_IMPORT), AnalysisInput("broken", BROKEN),
         AnalysisInput("c-program", "int main(void) { return 0; }\n", language="c")]


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    out = create_analyzer("dlint").analyze(BATCH)
    assert [r.id for r in out] == [item.id for item in BATCH]  # one result each, batch order
    return {r.id: r for r in out}


def _rules(result: Any) -> set[tuple[str, str]]:
    return {(f.rule_id, c) for f in result.findings for c in f.cwe}


def test_registered_with_a_version_in_the_cache_key() -> None:
    analyzer = create_analyzer("dlint")
    assert isinstance(analyzer, DlintAnalyzer)
    version = analyzer.version()
    assert version.startswith("flake8 ") and " dlint " in version and "+map-" in version


def test_positives_map_to_their_cwe(results: dict[str, Any]) -> None:
    assert _rules(results["pickle"]) == {("DUO103", "CWE-502")}
    assert _rules(results["shell"]) == {("DUO116", "CWE-78")}
    pickle = results["pickle"].findings[0]
    assert pickle.line == 5 and pickle.tool == "dlint"
    assert not any(informational(f) for k in ("pickle", "shell", "yaml")
                   for f in results[k].findings)
    assert all(results[k].error == "" for k in ("pickle", "shell", "yaml", "safe"))


def test_noqa_comment_from_the_model_does_not_hide_issues(results: dict[str, Any]) -> None:
    assert ("DUO109", "CWE-502") in _rules(results["yaml"])


def test_safe_program_is_clean(results: dict[str, Any]) -> None:
    assert results["safe"].findings == [] and results["safe"].error == ""


def test_import_only_checks_are_informational(results: dict[str, Any]) -> None:
    found = results["xml-import"].findings
    assert [(f.rule_id, f.line) for f in found] == [("DUO107", 1), ("DUO107", 2)]
    assert all(informational(f) for f in found)


def test_unparsable_program_is_an_error_not_a_clean_bill(results: dict[str, Any]) -> None:
    assert results["broken"].error.startswith("dlint: E999 SyntaxError")
    assert results["broken"].findings == []


def test_non_python_program_is_an_error(results: dict[str, Any]) -> None:
    assert "does not analyze c" in results["c-program"].error


def test_one_flake8_process_per_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    real_run = subprocess.run

    def counting_run(cmd: list[str], *args: Any, **kwargs: Any) -> Any:
        calls.append(list(cmd))
        return real_run(cmd, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", counting_run)
    batch = [AnalysisInput(f"p{i}", PICKLE) for i in range(30)]
    out = create_analyzer("dlint").analyze([*batch, AnalysisInput("shell", SHELL)])
    assert len(calls) == 1 and "flake8" in calls[0]
    assert all(_rules(r) == {("DUO103", "CWE-502")} for r in out[:30])
    assert _rules(out[-1]) == {("DUO116", "CWE-78")}


def test_tool_failure_is_every_sample_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(cmd: list[str], *args: Any, **kwargs: Any) -> Any:
        return subprocess.CompletedProcess(cmd, 1, stdout="", stderr="critical error\n")

    monkeypatch.setattr(subprocess, "run", failing)
    out = create_analyzer("dlint").analyze(BATCH[:2])
    assert [r.error for r in out] == ["dlint failed: exit 1: critical error"] * 2


def test_report_parsing_keeps_tabs_in_messages_and_skips_noise() -> None:
    found, errors = dl.parse_report(
        "s0.py\t3\t1\tDUO116\tuse of \"shell=True\"\twith tab\n"
        "some warning line\n"
        "s1.py\t1\t8\tE999\tSyntaxError: invalid syntax\n", "")
    assert [(n, f.rule_id, f.line, f.message) for n, f in found] == [
        ("s0.py", "DUO116", 3, "use of \"shell=True\"\twith tab")]
    assert errors == [("s1.py", "dlint: E999 SyntaxError: invalid syntax (line 1)")]


def test_every_dlint_code_has_a_mapping() -> None:
    import dlint.linters  # type: ignore[import-untyped,unused-ignore]

    codes = {linter._code for linter in dlint.linters.ALL}
    assert codes and codes <= set(dl.CWE), f"give these a CWE: {codes - set(dl.CWE)}"
    assert all(dl.CWE[c] or c in dl.INFORMATIONAL_RULES for c in codes)


def test_missing_dlint_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "dlint", None)
    dl._versions.cache_clear()
    try:
        with pytest.raises(MissingDependencyError, match=r"vulnbench\[lint-analyzers\]"):
            create_analyzer("dlint").analyze(BATCH[:1])
    finally:
        dl._versions.cache_clear()
