"""The page mechanism of report.html: written by default after every run, sections keyed by
the kinds of run folder, the static-vs-test agreement counts, and `vulnbench report` on a
folder the pipeline did not score."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import reference_bodies
from vulnbench.models.base import BackendOptions
from vulnbench.pipeline import RunOptions, run
from vulnbench.report.html import PageInput, Section, render_page, sections, write_folder_page
from vulnbench.report.html.folder import folder_page
from vulnbench.report.html.page import folder_kinds, read_documents
from vulnbench.sandbox.backends import find_bwrap

needs_bwrap = pytest.mark.skipif(find_bwrap() is None, reason="no bwrap")
TASKS = ["demo-cwe089-user-lookup", "demo-cwe022-read-upload"]
AGREEMENT_CELL = ('<span data-agreement="{name}" data-condition="{cond}">{count}</span>')


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A MOCK run (plumbing: sample 0 the insecure reference, sample 1 the secure one) with
    bandit and the real sandboxed tests; run() alone, no report command."""
    tmp = tmp_path_factory.mktemp("page")
    script = tmp / "mock_script.json"
    script.write_text(json.dumps(reference_bodies(TASKS)))
    out = tmp / "r"
    run(RunOptions(out=out, models=[f"mock:{script}"], temperatures=[0.2], n=2, ks=[1],
                   task_ids=TASKS, progress=False, bootstrap_reps=100,
                   backend=BackendOptions(), analyzers=["bandit"]), echo=lambda _: None)
    return out


@needs_bwrap
def test_every_run_writes_report_html(folder: Path) -> None:
    page = (folder / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and 'id="headline"' in page
    assert 'id="agreement"' in page and 'id="browser"' in page


def _agreement(verdict: dict[str, Any]) -> str:
    security = [t["status"] for t in verdict["tests"] if t["suite"] == "security"]
    s = verdict["static_vulnerable"]
    t = True if verdict["test_vulnerable"] else (
        False if security and all(x == "passed" for x in security) else None)
    if s and t:
        return "both"
    if s:
        return "static only" if t is False else "static, no test verdict"
    if t:
        return "tests only" if s is False else "tests, no static verdict"
    return "not flagged"


@needs_bwrap
def test_agreement_counts_equal_the_samples_verdicts(folder: Path) -> None:
    page = (folder / "report.html").read_text()
    rows = [json.loads(line) for line in (folder / "samples.jsonl").read_text().splitlines()]
    expected: dict[str, Counter[str]] = {}
    for row in rows:
        if row["status"] == "ok" and row["verdict"]:
            expected.setdefault(row["condition"], Counter())[_agreement(row["verdict"])] += 1
    assert expected, "no assessed sample"
    names = ("both", "static only", "tests only", "static, no test verdict",
             "tests, no static verdict", "not flagged")
    for cond, counts in expected.items():
        for name in names:
            cell = AGREEMENT_CELL.format(name=name, cond=cond, count=counts[name])
            assert cell in page, cell
    # the SQL injection reference is caught by bandit (B608) and by its security test
    assert sum(c["both"] for c in expected.values()) >= 1


def test_folder_kinds_come_from_the_json_outputs() -> None:
    assert folder_kinds(None, {}) == frozenset()
    assert folder_kinds(None, {"results.json": {"task": "detect", "summary": {}}}) == {
        "classify"}
    assert folder_kinds(None, {"results.json": {"attacked": {}, "matrix": {}}}) == {"attack"}
    assert folder_kinds(None, {"comparison.json": {}}) == {"harden"}
    assert folder_kinds(None, {"compare.json": {}}) == {"compare"}


def test_a_folder_page_renders_only_its_kinds_sections(tmp_path: Path) -> None:
    (tmp_path / "results.json").write_text(json.dumps({"task": "detect", "summary": {},
                                                       "model": "<b>m</b>"}))
    (tmp_path / "broken.json").write_text("{")
    sections.register("test-classify")(Section(
        "Fake classify", frozenset({"classify"}), lambda p: f"<p>FAKE {len(p.documents)}</p>"))
    sections.register("test-empty")(Section("Empty one", frozenset({"classify"}), lambda _: ""))
    try:
        page = folder_page(tmp_path)
        assert page is not None and page.kinds == {"classify"} and page.run is None
        text = render_page(page)
        written = write_folder_page(tmp_path)
    finally:
        sections.remove("test-classify")
        sections.remove("test-empty")
    assert "FAKE 1" in text and "Fake classify" in text
    assert "Empty one" not in text  # a section with nothing to show is left out, with its link
    assert 'id="headline"' not in text  # generation sections need a scored run
    assert written == tmp_path / "report.html" and written.read_text() == text


def test_no_page_for_a_folder_of_no_known_kind(tmp_path: Path) -> None:
    assert write_folder_page(tmp_path) is None
    (tmp_path / "results.json").write_text("not json")
    assert read_documents(tmp_path) == {} and write_folder_page(tmp_path) is None
    assert not (tmp_path / "report.html").exists()


def test_page_title_and_meta_are_escaped() -> None:
    page = PageInput(folder=None, kinds=frozenset({"nothing"}), title="<t>", meta="<m>")
    text = render_page(page)
    assert "<title>&lt;t&gt;</title>" in text and "&lt;m&gt;" in text and "<m>" not in text


def test_cli_report_on_a_classify_folder_writes_only_its_page(tmp_path: Path) -> None:
    (tmp_path / "results.json").write_text(json.dumps({"task": "cwe", "summary": {}}))
    proc = subprocess.run([sys.executable, "-m", "vulnbench.cli.main", "report", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "html report in" in proc.stdout + proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "results.json"]


def test_cli_report_on_an_empty_folder_says_what_is_missing(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "vulnbench.cli.main", "report", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "holds no run store" in proc.stderr


def test_an_errored_security_test_is_no_test_verdict() -> None:
    """A security test that ended in an error (the program could not even be exploited) is
    no decision, not "the tests said not vulnerable"."""
    from vulnbench.records import TestOutcome, Verdict
    from vulnbench.report.html.sections import security_tests_say

    def verdict(*statuses: str, vulnerable: bool = False) -> Verdict:
        tests = [TestOutcome(suite="security", name=f"t{i}", status=s)  # type: ignore[arg-type]
                 for i, s in enumerate(statuses)]
        return Verdict(key="k", status="assessed", test_vulnerable=vulnerable if tests else None,
                       tests=tests)

    assert security_tests_say(verdict("passed", "passed")) is False
    assert security_tests_say(verdict("passed", "error")) is None
    assert security_tests_say(verdict("timeout")) is None
    assert security_tests_say(verdict()) is None
    assert security_tests_say(verdict("failed", "error", vulnerable=True)) is True
