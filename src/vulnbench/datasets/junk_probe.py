"""A check of the security tests themselves: does one call a do-nothing program vulnerable?

A security test fails when "the exploit works". An oracle that asserts only that the result is
what a secure program returns (``lookup(payload) is None``) also fails for a program that
returns ``{}``, raises, or writes nothing at all, and so counts junk as vulnerable. Small models
write a lot of junk, so such oracles inflate vulnerable@k and lower security rates. The probe
completes each Python task's code prompt with trivial bodies and runs its tests in the sandbox.
A security test that any of them fails is listed for a look. Most such tests should be
rewritten to check the exploit's effect (the leaked row, the file written outside the folder)
rather than the absence of the secure answer. Some hits are right: a trivial body can be the
weakness itself (an authentication check that returns True accepts everyone)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from vulnbench.datasets.check import run_parallel
from vulnbench.records import Task
from vulnbench.sandbox.base import Sandbox
from vulnbench.sandbox.tests_runner import run_task_tests_batch

# do-nothing bodies: each returns a trivial value of a common type, or raises
STUBS: dict[str, str] = {
    "raise": "raise NotImplementedError", "None": "return None", "''": "return ''",
    "0": "return 0", "False": "return False", "True": "return True", "{}": "return {}",
    "[]": "return []"}


@dataclass
class JunkProbe:
    """One task: the security tests each do-nothing body failed (none: the oracle is sound
    against junk). ``probed`` is False for a task the probe does not apply to."""

    task_id: str
    probed: bool
    failed: dict[str, list[str]] = field(default_factory=dict)  # stub -> security tests

    @property
    def calls_junk_vulnerable(self) -> bool:
        return bool(self.failed)

    def problem(self) -> str:
        tests = sorted({t for names in self.failed.values() for t in names})
        stubs = ", ".join(f"`{STUBS[s]}`" for s in self.failed)
        return f"security test {', '.join(tests)} fails on a do-nothing program ({stubs})"

    def to_json(self) -> dict[str, object]:
        return {"task": self.task_id, "probed": self.probed, "failed": self.failed}


def probeable(task: Task) -> bool:
    """Python tasks with a security test (a C stub would need the prototype's return type)."""
    return task.language == "python" and bool(task.security_test.strip())


def stub_program(task: Task, body: str) -> str:
    """The code prompt completed by ``body`` at the indentation its last line implies."""
    prompt = task.code_prompt.rstrip("\n")
    last = next((line for line in reversed(prompt.splitlines()) if line.strip()), "")
    indent = last[: len(last) - len(last.lstrip())]
    if last.rstrip().endswith(":"):
        indent += "    "
    return f"{prompt}\n{indent or '    '}{body}\n"


def probe_tasks(tasks: Sequence[Task], sandbox: Sandbox,
                on_done: Callable[[JunkProbe], None] = lambda _: None) -> list[JunkProbe]:
    """Run every stub through each probeable task's tests (one sandbox batch per task)."""

    def probe(task: Task) -> JunkProbe:
        if not probeable(task):
            return JunkProbe(task.id, probed=False)
        runs = run_task_tests_batch(sandbox, task, [stub_program(task, b) for b in
                                                    STUBS.values()])
        result = JunkProbe(task.id, probed=True)
        for name, run in zip(STUBS, runs, strict=True):
            failed = [o.name for o in run.outcomes
                      if o.suite == "security" and o.status == "failed"]
            if failed:
                result.failed[name] = failed
        return result

    return run_parallel(probe, tasks, on_done)
