"""``vulnbench dataset check``: prove every task's references.

- secure reference: functional and security tests pass; no counted static finding in the
  task's CWE family;
- insecure reference: functional test passes, security test fails (the exploit works);
- where ``static_visible`` is set, some analyzer flags the insecure reference in the family.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from vulnbench.analyzers import AnalysisInput, Analyzer
from vulnbench.assess.verdict import counts_as_vulnerability
from vulnbench.records import Finding, Task
from vulnbench.sandbox.base import Sandbox
from vulnbench.sandbox.tests_runner import TestRun, run_task_tests_batch


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
            ) -> dict[tuple[str, str], list[Finding]]:
    batch = [AnalysisInput(f"{t.id}\0{ref}", getattr(t, f"{ref}_reference"), t.language)
             for t in tasks for ref in ("secure", "insecure")]
    found: dict[tuple[str, str], list[Finding]] = {}
    for analyzer in analyzers:
        items = [b for b in batch if b.language in analyzer.languages]
        for result in analyzer.analyze(items):
            task_id, ref = result.id.split("\0")
            found.setdefault((task_id, ref), []).extend(result.findings)
    return found


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
        flagged_secure = [f for f in static.get((task.id, "secure"), [])
                          if counts_as_vulnerability(f, task, "target")]
        if flagged_secure:
            proof.problems.append("secure reference flagged: " + ", ".join(
                f"{f.tool} {f.rule_id} {','.join(f.cwe)} line {f.line}" for f in flagged_secure))
        proof.insecure_flagged_by = sorted({
            f"{f.tool}:{f.rule_id}" for f in static.get((task.id, "insecure"), [])
            if counts_as_vulnerability(f, task, "target")})
        if task.static_visible and not proof.insecure_flagged_by:
            proof.problems.append("static_visible, but no analyzer flags the insecure reference "
                                  f"in the {'/'.join(task.cwe)} family")
        return proof

    workers = max(1, len(os.sched_getaffinity(0)))
    proofs: list[TaskProof] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for proof in pool.map(prove, tasks):
            proofs.append(proof)
            on_done(proof)
    return proofs
