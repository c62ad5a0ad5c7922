"""``vulnbench scan PATHS...``: static analysis of existing code, as a table, JSON (findings per
id) or SARIF 2.1.0; ``--fail-on`` turns findings into a non-zero exit for CI gates."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from vulnbench.errors import VulnbenchError

DEFAULT_ANALYZERS = ["semgrep", "bandit"]


def scan(
    paths: Annotated[list[Path], typer.Argument(help="files, folders or a JSONL of "
                                                "{id, code, language}")],
    format: Annotated[str, typer.Option("--format", help="table, json or sarif")] = "table",
    out: Annotated[Path | None, typer.Option(help="write the report here")] = None,
    fail_on: Annotated[str | None, typer.Option(help="exit 1 on a finding of this severity "
                                                "or above: low, medium, high")] = None,
    analyzer: Annotated[list[str], typer.Option(help="analyzers (repeatable)")]
        = DEFAULT_ANALYZERS,
) -> None:
    """Scan existing code with the static analyzers."""
    from vulnbench.analyzers import create_analyzer
    from vulnbench.scan import collect_inputs, exit_code, run_scan, to_sarif

    if format not in ("table", "json", "sarif"):
        raise VulnbenchError(f"--format must be table, json or sarif, got {format!r}")
    if fail_on is not None and fail_on not in ("low", "medium", "high"):
        raise VulnbenchError(f"--fail-on must be low, medium or high, got {fail_on!r}")
    names = [n.strip() for spec in analyzer for n in spec.split(",") if n.strip()]
    analyzers = [create_analyzer(n) for n in names]
    console = Console(stderr=True)
    items = collect_inputs(paths)
    report = run_scan(items, analyzers)
    for name, why in report.unavailable.items():
        console.print(f"[yellow]{name} skipped:[/yellow] {why}", highlight=False)
    if report.unavailable and not report.analyzers:
        raise VulnbenchError("no analyzer could run")
    if format == "table":
        table = Table(title=f"vulnbench scan: {len(items)} programs")
        for col in ("program", "line", "tool", "rule", "CWE", "severity"):
            table.add_column(col)
        for res in report.results:
            for f in res.findings:
                table.add_row(res.id, str(f.line or "-"), f.tool, f.rule_id,
                              ",".join(f.cwe) or "-", f.severity)
            for err in res.errors:
                table.add_row(res.id, "-", "error", err[:120], "-", "-")
        target = Console(file=out.open("w", encoding="utf-8") if out else sys.stdout,
                         width=200)
        target.print(table)
    else:
        doc = to_sarif(report) if format == "sarif" else report.to_json()
        text = json.dumps(doc, indent=2) + "\n"
        if out:
            out.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
    found = sum(len(r.findings) for r in report.results)
    errors = sum(r.status == "error" for r in report.results)
    console.print(f"{len(items)} programs, {found} findings, {errors} with errors"
                  + (f"; report in {out}" if out else ""))
    code = exit_code(report, fail_on)  # type: ignore[arg-type]
    if code:
        raise SystemExit(code)
