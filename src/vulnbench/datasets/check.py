"""``vulnbench dataset check``: prove every task's references.

Own task sets (``check_tasks``), where every task must be proven:

- secure reference: functional and security tests pass; no counted static finding in the
  task's CWE family;
- insecure reference: functional test passes, security test fails (the exploit works);
- where ``static_visible`` is set, some analyzer flags the insecure reference in the family.

Public sources (``check_polarity``) are not ours to fix: per task, whether the references the
source has hold that polarity here, and if not, why: our environment (a missing module, file,
C library, network; the task environment; the sandbox), upstream (the reference fails its own
test) or no test.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Literal, TypedDict, TypeVar

from vulnbench.analyzers import AnalysisInput, Analyzer
from vulnbench.analyzers.runner import InputResult, run_analyzers
from vulnbench.assess.verdict import counts_as_vulnerability
from vulnbench.outcomes import TestRun
from vulnbench.records import Finding, Task, TestOutcome
from vulnbench.sandbox.base import Sandbox
from vulnbench.sandbox.tests_runner import run_task_tests_batch

P = TypeVar("P")


@dataclass
class TaskProof:
    task_id: str
    problems: list[str] = field(default_factory=list)
    secure_tests: str = ""
    insecure_tests: str = ""
    insecure_flagged_by: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, object]:
        return {"task": self.task_id, "ok": self.ok, "secure": self.secure_tests,
                "insecure": self.insecure_tests, "static": self.insecure_flagged_by,
                "problems": self.problems}


def _suite(run: TestRun, suite: str) -> str:
    """passed / failed / error / missing for one suite of a test run."""
    outcomes = [o.status for o in run.outcomes if o.suite == suite]
    if run.status != "assessed":
        return run.status
    if not outcomes:
        return "missing"
    if all(s == "passed" for s in outcomes):
        return "passed"
    return "failed" if "failed" in outcomes else outcomes[0]


def _static(analyzers: Sequence[Analyzer], tasks: Sequence[Task]
            ) -> dict[tuple[str, str], InputResult]:
    """Every analyzer over every reference (analyzers/runner.py: one error policy)."""
    batch = [AnalysisInput(f"{t.id}\0{ref}", getattr(t, f"{ref}_reference"), t.language)
             for t in tasks for ref in ("secure", "insecure")
             if getattr(t, f"{ref}_reference").strip()]
    return {(r.id.split("\0")[0], r.id.split("\0")[1]): r
            for r in run_analyzers(batch, analyzers).values()}


def _counted(static: dict[tuple[str, str], InputResult], task: Task, ref: str
             ) -> list[Finding]:
    got = static.get((task.id, ref))
    return [f for f in got.findings if counts_as_vulnerability(f, task, "target")] if got else []


def _static_errors(static: dict[tuple[str, str], InputResult], task_id: str, ref: str
                   ) -> list[str]:
    got = static.get((task_id, ref))
    return [f"{name}: {error}" for name, error in got.errors] if got else []


def check_tasks(tasks: Sequence[Task], sandbox: Sandbox, analyzers: Sequence[Analyzer],
                on_done: Callable[[TaskProof], None] = lambda _: None) -> list[TaskProof]:
    static = _static(analyzers, tasks)

    def prove(task: Task) -> TaskProof:
        proof = TaskProof(task.id)
        for ref in ("secure", "insecure"):
            if not getattr(task, f"{ref}_reference").strip():
                proof.problems.append(f"no {ref} reference")
        if proof.problems:
            return proof
        secure, insecure = run_task_tests_batch(
            sandbox, task, [task.secure_reference, task.insecure_reference])
        s_f, s_s = _suite(secure, "functional"), _suite(secure, "security")
        i_f, i_s = _suite(insecure, "functional"), _suite(insecure, "security")
        proof.secure_tests = f"functional {s_f}, security {s_s}"
        proof.insecure_tests = f"functional {i_f}, security {i_s}"
        if s_f != "passed":
            proof.problems.append(f"secure reference: functional test {s_f}")
        if s_s != "passed":
            proof.problems.append(f"secure reference: security test {s_s}")
        if i_f != "passed":
            proof.problems.append(f"insecure reference: functional test {i_f}")
        if i_s != "failed":
            proof.problems.append(f"insecure reference: security test {i_s} (must fail)")
        for ref in ("secure", "insecure"):  # an unjudged reference is no proof either way
            proof.problems += [f"{ref} reference: static analysis incomplete: {e}"
                               for e in _static_errors(static, task.id, ref)]
        flagged_secure = _counted(static, task, "secure")
        if flagged_secure:
            proof.problems.append("secure reference flagged: " + ", ".join(
                f"{f.tool} {f.rule_id} {','.join(f.cwe)} line {f.line}" for f in flagged_secure))
        proof.insecure_flagged_by = sorted({
            f"{f.tool}:{f.rule_id}" for f in _counted(static, task, "insecure")})
        if task.static_visible and not proof.insecure_flagged_by:
            proof.problems.append("static_visible, but no analyzer flags the insecure reference "
                                  f"in the {'/'.join(task.cwe)} family")
        return proof

    return run_parallel(prove, tasks, on_done)


def run_parallel(prove: Callable[[Task], P], tasks: Sequence[Task],
              on_done: Callable[[P], None]) -> list[P]:
    workers = max(1, len(os.sched_getaffinity(0)))
    proofs: list[P] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for proof in pool.map(prove, tasks):
            proofs.append(proof)
            on_done(proof)
    return proofs


# --- public sources: does each reference hold its polarity here, and if not, whose fault? ---

Cause = Literal["environment", "upstream", "no_test"]
Outcome = Literal["holds", "environment", "upstream", "no_test", "no_reference"]
# the suite results a reference must give: insecure = correct but exploitable
EXPECTED: dict[str, dict[str, str]] = {
    "insecure": {"functional": "passed", "security": "failed"},
    "secure": {"functional": "passed", "security": "passed"},
}
_SANDBOX_NAMES = {"<process>", "<harness>", "<results>"}
# (pattern in an error's detail, cause, what): first match wins; the test's own assertions
# (status "failed") and any other exception are upstream
_CAUSE_TEXT: list[tuple[str, Cause, str]] = [
    (r"ModuleNotFoundError: No module named '([^'.]+)", "environment", "missing module '{0}'"),
    (r"ImportError: cannot import name '(\w+)' from 'solution'", "upstream",
     "the test imports '{0}', which the reference does not define"),
    (r"ImportError", "environment", "a library does not import (version?)"),
    (r"fatal error: ([^:\s]+): No such file", "environment", "missing C header {0}"),
    (r"cannot find -l(\S+)", "environment", "missing C library {0}"),
    (r"undefined reference to", "environment", "C library not linked"),
    (r"Temporary failure in name resolution|Name or service not known|Network is unreachable"
     r"|Failed to establish a new connection|gaierror|No address associated", "environment",
     "no network in the sandbox"),
    (r"Read-only file system|Operation not permitted", "environment", "sandbox restriction"),
    (r"FileNotFoundError|No such file or directory", "environment", "missing file"),
]
_CAUSES = [(re.compile(p), c, w) for p, c, w in _CAUSE_TEXT]


@dataclass
class Why:
    """One reason a task's reference does not hold its polarity here."""

    cause: Cause
    reference: str  # insecure / secure / "" (the task)
    what: str  # short, groups alike reasons in the summary
    detail: str = ""


@dataclass
class PolarityProof:
    task_id: str
    references: dict[str, str] = field(default_factory=dict)  # ref -> its suite results
    why: list[Why] = field(default_factory=list)
    static: dict[str, list[str]] = field(default_factory=dict)  # ref -> analyzer:rule
    # ref -> "analyzer: error" where static analysis could not judge it (never a clean result)
    static_errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def outcome(self) -> Outcome:
        if not self.references:
            return "no_reference"
        causes = {w.cause for w in self.why}
        for cause in ("environment", "upstream", "no_test"):
            if cause in causes:
                return cause
        return "holds"

    def to_json(self) -> dict[str, object]:
        return {"task": self.task_id, "outcome": self.outcome, "references": self.references,
                "why": [vars(w) for w in self.why], "static": self.static,
                **({"static_errors": self.static_errors} if self.static_errors else {})}


def _first_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1][:300] if lines else ""


def classify_outcome(ref: str, outcome: TestOutcome) -> Why:
    """Why one test of a reference did not give the expected result."""
    detail = f"{outcome.suite} {outcome.name}: {_first_line(outcome.detail) or outcome.status}"
    if outcome.status == "timeout":
        return Why("environment", ref, "test timed out here", detail)
    if outcome.name in _SANDBOX_NAMES:
        return Why("environment", ref, "sandbox error", detail)
    if outcome.status == "error":
        for pattern, cause, what in _CAUSES:
            match = pattern.search(outcome.detail)
            if match:
                return Why(cause, ref, what.format(*match.groups()), detail)
        kind = re.match(r"\s*([A-Za-z_][\w.]*)", _first_line(outcome.detail))
        return Why("upstream", ref, f"{outcome.suite} test raises "
                   f"{kind.group(1) if kind else 'an error'}", detail)
    if outcome.status == "passed":  # where it must fail: the test misses the flaw
        return Why("upstream", ref, f"{outcome.suite} test passes on the insecure reference "
                   "(does not detect the flaw)", detail)
    return Why("upstream", ref, f"{outcome.suite} test fails on the {ref} reference", detail)


def classify_run(ref: str, run: TestRun) -> list[Why]:
    """Why a reference's test run does not hold its polarity (empty: it holds)."""
    if run.status == "not_assessed":
        return [Why("no_test", ref, "no test")]
    if run.status != "assessed":
        what = {"runtime_error": "task environment could not be built or started",
                "timeout": "test timed out here"}.get(run.status, "sandbox error")
        return [Why("environment", ref, what, _first_line(run.detail))]
    why: list[Why] = []
    for suite, expected in EXPECTED[ref].items():
        outcomes = [o for o in run.outcomes if o.suite == suite]
        if not outcomes:
            why.append(Why("no_test", ref, f"no {suite} test"))
        elif expected == "passed":
            why += [classify_outcome(ref, o) for o in outcomes if o.status != "passed"]
        elif not any(o.status == "failed" for o in outcomes):  # the exploit must work
            bad = [o for o in outcomes if o.status != "passed"] or outcomes[:1]
            why += [classify_outcome(ref, o) for o in bad]
    distinct: dict[tuple[str, str], Why] = {}  # one per reason (the first test's detail)
    for w in why:
        distinct.setdefault((w.cause, w.what), w)
    return list(distinct.values())


def check_polarity(tasks: Sequence[Task], sandbox: Sandbox, analyzers: Sequence[Analyzer],
                   on_done: Callable[[PolarityProof], None] = lambda _: None
                   ) -> list[PolarityProof]:
    """For a public source: per task, whether each reference it has holds its polarity here
    (insecure: functional passes, security fails; secure: both pass) and, where not, whether
    the cause is our environment, the source itself (upstream) or a missing test. Static
    findings are reported beside, not judged: the source does not say what they must be."""
    static = _static(analyzers, tasks)

    def prove(task: Task) -> PolarityProof:
        proof = PolarityProof(task.id)
        refs = [r for r in ("insecure", "secure") if getattr(task, f"{r}_reference").strip()]
        for ref in refs:
            proof.static[ref] = sorted({
                f"{f.tool}:{f.rule_id}" for f in _counted(static, task, ref)})
            if errors := _static_errors(static, task.id, ref):
                proof.static_errors[ref] = errors
        if not refs:
            return proof
        runs = run_task_tests_batch(sandbox, task, [getattr(task, f"{r}_reference")
                                                    for r in refs])
        for ref, run in zip(refs, runs, strict=True):
            proof.references[ref] = ", ".join(
                f"{s} {_suite(run, s)}" for s in ("functional", "security"))
            proof.why += classify_run(ref, run)
        return proof

    return run_parallel(prove, tasks, on_done)


OUTCOMES: tuple[Outcome, ...] = ("holds", "environment", "upstream", "no_test", "no_reference")


class Reason(TypedDict):
    cause: str
    what: str
    tasks: int


class Summary(TypedDict):
    tasks: int
    outcomes: dict[str, int]
    reasons: list[Reason]


def summarize(proofs: Sequence[PolarityProof]) -> Summary:
    """Tasks per outcome, and per (cause, reason) the number of tasks it concerns."""
    outcomes: dict[str, int] = {o: sum(p.outcome == o for p in proofs) for o in OUTCOMES}
    by_reason: dict[tuple[str, str], set[str]] = {}
    for p in proofs:
        for w in p.why:
            by_reason.setdefault((w.cause, w.what), set()).add(p.task_id)
    reasons = [Reason(cause=c, what=w, tasks=len(ids)) for (c, w), ids in
               sorted(by_reason.items(), key=lambda kv: (kv[0][0], -len(kv[1]), kv[0][1]))]
    return Summary(tasks=len(proofs), outcomes=outcomes, reasons=reasons)
