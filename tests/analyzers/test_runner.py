"""The one analyzer runner and the assessment driver on top of it, with scripted analyzers (no
tool, no sandbox): the error policy (a crash, a missing result or a tool error is an error for
that program, never a clean result), language abstention, same code analyzed once, the cache,
the analyzers' own reminder rules, and the driver's overlapped order deciding exactly what the
serial order decides."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from vulnbench.analyzers import AnalysisInput, AnalysisResult, Analyzer, informational
from vulnbench.analyzers.runner import DEFAULT_ANALYZERS, default_analyzers, run_analyzers
from vulnbench.assess import counts_as_vulnerability, decide
from vulnbench.assess.executor import assess_job
from vulnbench.outcomes import TestRun
from vulnbench.pipeline.assess import AssessContext, assess
from vulnbench.records import Finding, Sample, Task
from vulnbench.store import RunStore


class Scripted(Analyzer):
    """Flags code containing ``flag``; ``crash`` raises, ``drop`` returns no result for code
    containing ``skip`` and ``fail`` is a tool error for code containing ``bad``."""

    def __init__(self, name: str, mode: str = "", languages: Sequence[str] = ("python",)
                 ) -> None:
        self.name, self.mode, self.languages = name, mode, frozenset(languages)
        self.seen: list[str] = []

    def version(self) -> str:
        return "1"

    def analyze(self, batch: Sequence[AnalysisInput]) -> list[AnalysisResult]:
        self.seen += [b.code for b in batch]
        if self.mode == "crash":
            raise RuntimeError("boom")
        out = []
        for b in batch:
            if self.mode == "drop" and "skip" in b.code:
                continue
            found = [Finding(tool=self.name, rule_id="R1", cwe=["CWE-78"], line=1)] \
                if "flag" in b.code else []
            out.append(AnalysisResult(b.id, found, "tool error" if "bad" in b.code else ""))
        return out


def _inputs(*codes: str, language: str = "python") -> list[AnalysisInput]:
    return [AnalysisInput(f"p{i}", c, language) for i, c in enumerate(codes)]


def test_a_crash_is_an_error_for_every_program_never_clean() -> None:
    got = run_analyzers(_inputs("flag", "ok"), [Scripted("a"), Scripted("b", "crash")])
    assert [f.tool for f in got["p0"].findings] == ["a"]
    assert got["p1"].findings == []
    for res in got.values():
        assert res.errors == [("b", "crashed (RuntimeError: boom)")]


def test_a_missing_result_and_a_tool_error_are_errors() -> None:
    got = run_analyzers(_inputs("skip", "bad", "fine"), [Scripted("a", "drop")])
    assert got["p0"].errors == [("a", "returned no result for this program")]
    assert got["p1"].errors == [("a", "tool error")]
    assert got["p2"].errors == []


def test_an_analyzer_abstains_outside_its_languages() -> None:
    c_tool, py_tool = Scripted("c", languages=("c",)), Scripted("py")
    got = run_analyzers(_inputs("flag", language="c"), [py_tool, c_tool])
    assert [f.tool for f in got["p0"].findings] == ["c"]
    assert py_tool.seen == [] and got["p0"].errors == []


def test_same_code_analyzed_once_and_cached_without_errors(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "run.sqlite")
    tool = Scripted("a")
    first = run_analyzers(_inputs("flag", "flag", "bad"), [tool], store)
    assert tool.seen == ["flag", "bad"]
    assert [len(r.findings) for r in first.values()] == [1, 1, 0]
    again = run_analyzers(_inputs("flag", "bad"), [tool], store)
    assert tool.seen == ["flag", "bad", "bad"]  # the error result was not cached
    assert [f.rule_id for f in again["p0"].findings] == ["R1"]
    store.close()


def test_the_default_policy_follows_the_languages() -> None:
    assert default_analyzers() == list(DEFAULT_ANALYZERS)
    assert default_analyzers(["python"]) == ["bandit", "semgrep"]
    assert set(default_analyzers(["c"])) == {"semgrep", "gcc-analyzer", "cppcheck"}


@pytest.mark.parametrize(("rule", "reminder"), [("B404", True), ("B603", True),
                                                ("B101", True), ("B602", False)])
def test_reminder_rules_are_the_analyzers_knowledge(rule: str, reminder: bool) -> None:
    task = Task(id="t", cwe=["CWE-78"], code_prompt="-")
    finding = Finding(tool="bandit", rule_id=rule, cwe=["CWE-78"])
    assert informational(finding) is reminder
    assert counts_as_vulnerability(finding, task, "any") is not reminder
    other = Finding(tool="semgrep", rule_id=rule, cwe=["CWE-78"])
    assert not informational(other) and counts_as_vulnerability(other, task, "target")


def test_a_reminder_alone_leaves_a_sample_secure() -> None:
    task = Task(id="t", cwe=["CWE-78"], code_prompt="-")
    verdict = decide("k", task, [Finding(tool="bandit", rule_id="B603", cwe=["CWE-78"])], [],
                     TestRun("not_assessed"), "target")
    assert verdict.vulnerable is False and verdict.secure is True


def test_assess_job_is_a_pure_function_of_names_and_code() -> None:
    task = Task(id="t", cwe=["CWE-78"], code_prompt="-")
    verdicts = assess_job(task, ["x = 1\n"], [], None, "target")
    assert [(v.key, v.status, v.vulnerable, v.secure) for v in verdicts] == [
        ("0", "assessed", False, True)]


def _assess(tmp_path: Path, overlap: bool, analyzers: list[Analyzer]) -> dict[str, object]:
    task = Task(id="t", cwe=["CWE-78"], code_prompt="-")
    store = RunStore(tmp_path / f"{overlap}.sqlite")
    samples = [Sample(key=f"k{i}", condition="c", task_id="t", sample_index=i, raw=code,
                      code=code, status="ok") for i, code in enumerate(["flag", "ok", "bad"])]
    ctx = AssessContext(store, {"t": task}, analyzers, None, "target", overlap=overlap)
    done: list[int] = []
    assert assess(ctx, samples, lambda: done.append(1)) == 3 and len(done) == 3
    assert assess(ctx, samples, lambda: None) == 0  # stored, fingerprints current
    out = {s.key: (v.model_dump() if (v := store.get_verdict(s.key)) else None)
           for s in samples}
    store.close()
    return out


def test_the_overlapped_driver_decides_what_the_serial_one_does(tmp_path: Path) -> None:
    serial = _assess(tmp_path, False, [Scripted("a"), Scripted("b", "crash")])
    overlapped = _assess(tmp_path, True, [Scripted("a"), Scripted("b", "crash")])
    assert serial == overlapped
    flagged, clean, bad = (serial[k] for k in ("k0", "k1", "k2"))
    assert isinstance(flagged, dict) and flagged["vulnerable"] is True
    # the crashed analyzer leaves the others' clean result undecided, never secure
    assert isinstance(clean, dict) and clean["static_vulnerable"] is None
    assert clean["secure"] is False
    assert "analyzer-error:b: crashed (RuntimeError: boom)" in clean["evidence"]
    assert isinstance(bad, dict) and bad["static_vulnerable"] is None
