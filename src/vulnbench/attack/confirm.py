"""Exploit confirmation of attack codes: where a code defines the entry point of a built-in task
of its targeted CWE (the baseline's codes always do; an FS-Code code that reconstructs its
target often does), that task's security test runs against it in the sandbox. A failed security
test means the exploit worked: the static finding is confirmed by execution. Results are kept in
the run store per (code, task), so re-reporting does not run them again."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from pydantic import BaseModel, ConfigDict, Field

from vulnbench.analyzers.runner import code_hash
from vulnbench.attack.records import ScoredCode
from vulnbench.cwe import in_family
from vulnbench.errors import VulnbenchError
from vulnbench.postprocess.shapes import c_def, py_def
from vulnbench.records import Task, TestOutcome, Verdict
from vulnbench.store import RunStore

PREFIX = "confirm:"


def _defines(code: str, name: str, language: str) -> bool:
    if language == "python":
        return py_def(code, name, indent="") is not None
    return c_def(code, name) is not None


def candidate_tasks(tasks: Sequence[Task]) -> dict[tuple[str, str], list[Task]]:
    """Tasks with an exploit test and an entry point, by (language, their first CWE)."""
    out: dict[tuple[str, str], list[Task]] = defaultdict(list)
    for task in tasks:
        if task.security_test.strip() and task.entry_point and task.kind == "generate":
            out[(task.language, task.cwe[0])].append(task)
    return out


def applicable(code: ScoredCode, tasks: dict[tuple[str, str], list[Task]]) -> Task | None:
    """The first task of the code's language and targeted CWE family whose entry point the
    code defines (same CWE before family members)."""
    exact = tasks.get((code.language, code.cwe), [])
    family = [t for (lang, cwe), group in tasks.items() for t in group
              if lang == code.language and cwe != code.cwe and in_family([cwe], [code.cwe])]
    return next((t for t in [*exact, *family]
                 if _defines(code.code, t.entry_point or "", code.language)), None)


def _security(outcomes: Sequence[TestOutcome]) -> bool | None:
    """True: the exploit worked; False: the security test passed; None: it did not run."""
    security = [o for o in outcomes if o.suite == "security"]
    if any(o.status == "failed" for o in security):
        return True
    if security and all(o.status == "passed" for o in security):
        return False
    return None


def confirm(codes: Sequence[ScoredCode], tasks: Sequence[Task], store: RunStore,
            sandbox: str, echo: Callable[[str], None] = print) -> None:
    """Set ``confirmed``/``confirmed_by`` on every scored code a task's exploit applies to."""
    from vulnbench.assess.executor import tests_job

    candidates = candidate_tasks(tasks)
    by_task: dict[str, list[ScoredCode]] = defaultdict(list)
    chosen: dict[str, Task] = {}
    for code in codes:
        if code.status != "ok":
            continue
        task = applicable(code, candidates)
        if task is None:
            continue
        code.confirmed_by = task.id
        key = f"{PREFIX}{code_hash(code.code)}:{task.id}"
        stored = store.get_verdict(key)
        if stored is not None:
            code.confirmed = stored.test_vulnerable
            continue
        by_task[task.id].append(code)
        chosen[task.id] = task
    todo = sum(len(v) for v in by_task.values())
    if todo:
        echo(f"confirming {todo} codes with the exploit tests of {len(by_task)} tasks")
    for task_id, group in by_task.items():
        try:
            runs = tests_job(chosen[task_id], [c.code for c in group], sandbox)
        except VulnbenchError as err:
            echo(f"note: exploit tests of {task_id} could not run ({err}); its codes stay "
                 "unconfirmed")
            continue
        for code, run in zip(group, runs, strict=True):
            code.confirmed = _security(run.outcomes) if run.status == "assessed" else None
            if run.status == "assessed":  # a sandbox failure is tried again next time
                store.put_verdict(Verdict(
                    key=f"{PREFIX}{code_hash(code.code)}:{task_id}", status=run.status,
                    test_vulnerable=code.confirmed, tests=run.outcomes), "")


class Confirmation(BaseModel):
    """Exploit confirmation of one condition's codes in one language."""

    model_config = ConfigDict(extra="forbid")

    applicable: int = 0  # scored codes that define a task's entry point
    exploited: int = 0  # its security test failed: the exploit worked
    resisted: int = 0  # its security test passed
    # no verdict: the code raised before the exploit could be judged (a NameError, a missing
    # argument), or the sandbox, environment or a timeout stopped the test
    not_run: int = 0
    flagged_and_exploited: int = 0  # the static engine flagged it and the exploit worked
    exploited_not_flagged: int = 0  # the exploit worked, the static engine saw nothing
    flagged_not_exploited: int = 0  # flagged, yet this task's exploit did not work
    tasks: list[str] = Field(default_factory=list)


def summarize(codes: Sequence[ScoredCode]) -> dict[str, dict[str, Confirmation]]:
    """Condition label -> language -> what the exploit tests said."""
    out: dict[str, dict[str, Confirmation]] = {}
    for code in codes:
        if code.status != "ok" or not code.confirmed_by:
            continue
        row = out.setdefault(code.condition.label, {}).setdefault(code.language,
                                                                   Confirmation())
        row.applicable += 1
        if code.confirmed_by not in row.tasks:
            row.tasks.append(code.confirmed_by)
        if code.confirmed is None:
            row.not_run += 1
            continue
        if code.confirmed:
            row.exploited += 1
            if code.vulnerable:
                row.flagged_and_exploited += 1
            else:
                row.exploited_not_flagged += 1
        else:
            row.resisted += 1
            if code.vulnerable:
                row.flagged_not_exploited += 1
    for langs in out.values():
        for row in langs.values():
            row.tasks.sort()
    return out
