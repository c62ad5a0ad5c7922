"""``vulnbench dataset``: list, show, stats, export and check task sets."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from vulnbench.errors import VulnbenchError

app = typer.Typer(help="Inspect and prove datasets.", no_args_is_help=True)


def _stats(name: str) -> dict[str, object]:
    from vulnbench.datasets import load_dataset

    ds = load_dataset(name)
    per_cwe: Counter[str] = Counter(c for t in ds.tasks for c in t.cwe)
    langs: Counter[str] = Counter(t.language for t in ds.tasks)
    return {
        "dataset": ds.name, "tasks": len(ds.tasks), "languages": dict(langs),
        "cwes": len(per_cwe),
        "cwes_by_language": {lang: len({c for t in ds.tasks if t.language == lang
                                        for c in t.cwe}) for lang in langs},
        "tasks_per_cwe": dict(sorted(per_cwe.items(), key=lambda kv: int(kv[0][4:]))),
        "with_tests": sum(1 for t in ds.tasks if t.functional_test and t.security_test),
        "content_hash": ds.content_hash,
        "missing": list(getattr(ds, "notes", [])),
    }


@app.command("list")
def list_datasets() -> None:
    """Registered datasets."""
    from vulnbench.datasets import datasets

    for name in datasets.names():
        print(name)


@app.command()
def show(task_id: str, dataset: Annotated[str, typer.Option()] = "builtin") -> None:
    """Print one task as JSON."""
    from vulnbench.datasets import load_dataset

    for task in load_dataset(dataset).tasks:
        if task.id == task_id:
            print(task.model_dump_json(indent=2))
            return
    raise VulnbenchError(f"dataset {dataset!r} has no task {task_id!r}")


@app.command()
def stats(name: Annotated[str, typer.Argument()] = "builtin",
          as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Tasks, CWEs, languages and tasks per CWE."""
    data = _stats(name)
    if as_json:
        print(json.dumps(data, indent=2))
        return
    for key in ("dataset", "tasks", "languages", "cwes", "cwes_by_language", "with_tests",
                "missing"):
        print(f"{key}: {data[key]}")
    print("tasks per CWE: " + ", ".join(f"{k} {v}" for k, v in
                                         data["tasks_per_cwe"].items()))  # type: ignore[attr-defined]


@app.command()
def export(name: Annotated[str, typer.Argument()] = "builtin",
           out: Annotated[Path | None, typer.Option(help="JSONL file (default stdout)")] = None
           ) -> None:
    """Write the tasks as JSON Lines (loadable again with --dataset FILE)."""
    from vulnbench.datasets import load_dataset

    lines = (t.model_dump_json() + "\n" for t in load_dataset(name).tasks)
    if out is None:
        sys.stdout.writelines(lines)
    else:
        with out.open("w", encoding="utf-8") as fh:
            fh.writelines(lines)


@app.command()
def check(name: Annotated[str, typer.Argument()] = "builtin",
          sandbox: Annotated[str, typer.Option()] = "bwrap",
          analyzer: Annotated[list[str], typer.Option()] = ["bandit"],  # noqa: B006
          task: Annotated[list[str], typer.Option(help="only these task ids")] = [],  # noqa: B006
          ) -> None:
    """Prove every task's references; exits 1 naming each task that fails."""
    from vulnbench.analyzers import create_analyzer
    from vulnbench.datasets import load_dataset
    from vulnbench.datasets.check import check_tasks
    from vulnbench.sandbox.backends import create_sandbox

    tasks = load_dataset(name).tasks
    if task:
        tasks = [t for t in tasks if t.id in set(task)]
    proofs = check_tasks(tasks, create_sandbox(sandbox), [create_analyzer(a) for a in analyzer])
    table = Table(title=f"dataset check: {name}")
    for col in ("task", "secure ref", "insecure ref", "static (insecure)", "result"):
        table.add_column(col)
    for p in proofs:
        table.add_row(p.task_id, p.secure_tests, p.insecure_tests,
                      ", ".join(p.insecure_flagged_by) or "-",
                      "ok" if p.ok else "[red]" + "; ".join(p.problems) + "[/red]")
    Console(width=max(200, Console().width)).print(table)
    failed = [p for p in proofs if not p.ok]
    print(f"{len(proofs) - len(failed)} passed, {len(failed)} failed")
    if failed:
        raise SystemExit(1)
