"""``vulnbench dataset``: list, show, stats, export and check task sets."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from vulnbench.errors import VulnbenchError
from vulnbench.pipeline.options import OptionError

if TYPE_CHECKING:
    from vulnbench.analyzers import Analyzer
    from vulnbench.datasets.junk_probe import JunkProbe
    from vulnbench.records import Task
    from vulnbench.sandbox.base import Sandbox

app = typer.Typer(help="Inspect and prove datasets.", no_args_is_help=True)


def _stats(name: str) -> dict[str, object]:
    from vulnbench.datasets import load_dataset
    from vulnbench.datasets.stats import dataset_stats

    return dataset_stats(load_dataset(name))


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
    from vulnbench.datasets.stats import select_tasks

    print(select_tasks(load_dataset(dataset), [task_id])[0].model_dump_json(indent=2))


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

    check_out_file(out)
    lines = (t.model_dump_json() + "\n" for t in load_dataset(name).tasks)
    if out is None:
        sys.stdout.writelines(lines)
        return
    try:
        with out.open("w", encoding="utf-8") as fh:
            fh.writelines(lines)
    except OSError as err:
        raise VulnbenchError(f"--out {out}: cannot write ({err.strerror})") from None


def check_out_file(out: Path | None) -> None:
    """``--out FILE`` must name a file in an existing folder: checked before any work."""
    if out is None:
        return
    if out.is_dir():
        raise OptionError(f"--out must be a file, got the folder {out}")
    if not out.parent.is_dir():
        raise OptionError(f"--out must be a file in an existing folder, got {out}")


@app.command()
def check(name: Annotated[str, typer.Argument()] = "builtin",
          sandbox: Annotated[str, typer.Option()] = "bwrap",
          analyzer: Annotated[list[str] | None, typer.Option(
              help="analyzers (repeatable; default: vulnbench's default analyzers for the "
                   "tasks' languages, those installed)")] = None,
          task: Annotated[list[str], typer.Option(help="only these task ids")] = [],  # noqa: B006
          as_json: Annotated[bool, typer.Option("--json", help="print the results as JSON")
                             ] = False,
          junk_probe: Annotated[bool, typer.Option(
              "--junk-probe", help="also run do-nothing programs (the code prompt completed "
                                   "by `return None`, `return {}`, `raise ...`) through each "
                                   "Python task's tests: a security test one of them fails "
                                   "calls junk vulnerable")] = False,
          ) -> None:
    """Prove every task's references.

    Own task sets (builtin, demo, task files): every task must be proven (secure reference
    passes both tests and is not flagged; insecure passes functional, fails security); exits 1
    naming each task that is not.

    Public sources (SOURCE:PATH): per task, whether the references the source has hold their
    polarity here, and if not why: environment (ours: a missing module, file, C library or
    network, the task's environment, the sandbox), upstream (the reference fails its own test)
    or no test. Exits 1 only when tasks fail because of our environment (naming them); tasks
    broken upstream or without a test are reported, and do not fail the check.

    --junk-probe: lists the security tests that a do-nothing program fails, for a look (it
    does not change the exit code): most call junk vulnerable, but a trivial body can be the
    weakness itself (an authentication check that returns True accepts everyone).
    """
    from vulnbench.datasets import load_dataset
    from vulnbench.datasets.public import PublicDataset
    from vulnbench.datasets.stats import select_tasks
    from vulnbench.sandbox.backends import create_sandbox

    ds = load_dataset(name)
    tasks = select_tasks(ds, task)
    box = create_sandbox(sandbox)
    analyzers = _analyzers(analyzer, tasks)
    probes = None
    if junk_probe:
        from vulnbench.datasets.junk_probe import probe_tasks

        probes = probe_tasks(tasks, box)
    if isinstance(ds, PublicDataset):
        _check_public(name, tasks, box, analyzers, ds.notes, as_json, probes)
    else:
        _check_own(name, tasks, box, analyzers, as_json, probes)


def _analyzers(named: list[str] | None, tasks: list[Task]) -> list[Analyzer]:
    """The named analyzers (one that cannot run leaves its references unjudged: a problem),
    or the default policy's for the tasks' languages, skipping with a warning those not
    installed."""
    from vulnbench.analyzers import create_analyzer
    from vulnbench.analyzers.runner import default_analyzers

    if named:
        return [create_analyzer(a) for a in named]
    usable = []
    for a in map(create_analyzer, default_analyzers(t.language for t in tasks)):
        if why := a.unavailable():
            sys.stderr.write(f"warning: analyzer {a.name} skipped: {why}\n")
        else:
            usable.append(a)
    return usable


def _check_own(name: str, tasks: list[Task], box: Sandbox, analyzers: list[Analyzer],
               as_json: bool, probes: list[JunkProbe] | None) -> None:
    from vulnbench.datasets.check import check_tasks

    proofs = check_tasks(tasks, box, analyzers)
    failed = [p for p in proofs if not p.ok]
    if as_json:
        print(json.dumps({"dataset": name, "public": False, "passed": len(proofs) - len(failed),
                          "failed": [p.task_id for p in failed],
                          "tasks": [p.to_json() for p in proofs],
                          **_probe_json(probes)}, indent=2))
    else:
        # task ids, problems and names are the task file's: printed as Text, never as markup
        table = Table(title=Text(f"dataset check: {name}"))
        for col in ("task", "secure ref", "insecure ref", "static (insecure)", "result"):
            table.add_column(col)
        for p in proofs:
            table.add_row(Text(p.task_id), p.secure_tests, p.insecure_tests,
                          Text(", ".join(p.insecure_flagged_by) or "-"),
                          Text("ok") if p.ok else Text("; ".join(p.problems), style="red"))
        Console(width=max(200, Console().width), emoji=False).print(table)
        print(f"{len(proofs) - len(failed)} passed, {len(failed)} failed")
        _print_probe_summary(probes, list_them=True)
    if failed:
        raise SystemExit(1)


def _probe_json(probes: list[JunkProbe] | None) -> dict[str, object]:
    if probes is None:
        return {}
    return {"junk_probe": {"probed": sum(p.probed for p in probes),
                           "calls_junk_vulnerable": [p.task_id for p in probes
                                                     if p.calls_junk_vulnerable],
                           "tasks": [p.to_json() for p in probes if p.probed]}}


def _print_probe_summary(probes: list[JunkProbe] | None, list_them: bool = False) -> None:
    if probes is None:
        return
    bad = [p for p in probes if p.calls_junk_vulnerable]
    print(f"junk probe: {len(bad)} of {sum(p.probed for p in probes)} probed tasks have a "
          "security test that a do-nothing program fails (look at each: most call junk "
          "vulnerable; a trivial body can also be the weakness itself)")
    for p in bad if list_them else []:
        print(f"  {p.task_id}: {p.problem()}")


def _check_public(name: str, tasks: list[Task], box: Sandbox, analyzers: list[Analyzer],
                  notes: list[str], as_json: bool, probes: list[JunkProbe] | None) -> None:
    from vulnbench.datasets.check import check_polarity, summarize

    proofs = check_polarity(tasks, box, analyzers)
    summary = summarize(proofs)
    env = [p.task_id for p in proofs if p.outcome == "environment"]
    if as_json:
        print(json.dumps({"dataset": name, "public": True, **summary, "notes": notes,
                          "tasks": [p.to_json() for p in proofs], **_probe_json(probes)},
                         indent=2))
    else:
        console = Console(width=max(200, Console().width), emoji=False)
        table = Table(title=Text(f"dataset check: {name} (does each reference hold its "
                                 "polarity here?)"))
        for col in ("task", "references (tests)", "outcome", "why not", "static"):
            table.add_column(col)
        for p in proofs:
            refs = "; ".join(f"{r}: {v}" for r, v in p.references.items()) or "-"
            why = "; ".join((f"{w.cause}: " if w.cause != p.outcome else "") + w.what
                            + (f" [{w.reference} ref: {w.detail}]" if w.detail else "")
                            for w in p.why)
            static = "; ".join(f"{r}: {', '.join(v)}" for r, v in p.static.items() if v)
            color = {"holds": "green", "environment": "red", "upstream": "yellow"}.get(
                p.outcome, "dim")
            table.add_row(Text(p.task_id), Text(refs), Text(p.outcome, style=color),
                          Text(why or "-"), Text(static or "-"))
        console.print(table)
        reasons = Table(title="why references do not hold, by cause")
        for col in ("cause", "reason", "tasks"):
            reasons.add_column(col)
        for row in summary["reasons"]:
            reasons.add_row(Text(row["cause"]), Text(row["what"]), str(row["tasks"]))
        if summary["reasons"]:
            console.print(reasons)
        print(", ".join(f"{v} {k.replace('_', ' ')}" for k, v in
                        summary["outcomes"].items()))
        _print_probe_summary(probes, list_them=True)
    if env:
        print(f"{len(env)} task(s) fail because of our environment: {', '.join(env)}",
              file=sys.stderr)
        raise SystemExit(1)
