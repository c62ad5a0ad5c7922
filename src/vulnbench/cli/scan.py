"""``vulnbench scan PATHS...``: static analysis of existing code, as a table, JSON (findings per
id) or SARIF 2.1.0, and a CI gate that fails closed (docs/scan.md). Exit codes: 0 passed,
1 a finding at or above ``--fail-on``, 2 usage error or a requested analyzer cannot run,
3 something went unscanned (unless ``--allow-unscanned``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from vulnbench.errors import ToolMissingError, VulnbenchError

DEFAULT_ANALYZERS = ["semgrep", "bandit"]


def _say(line: str) -> None:
    """One plain line on stderr: no markup, no wrapping (a CI log greps these)."""
    sys.stderr.write(line + "\n")


def scan(
    paths: Annotated[list[Path], typer.Argument(help="files, folders or a JSONL of "
                                                "{id, code, language}")],
    format: Annotated[str, typer.Option("--format", help="table, json or sarif")] = "table",
    out: Annotated[Path | None, typer.Option(help="write the report here")] = None,
    fail_on: Annotated[str | None, typer.Option(help="exit 1 on a finding of this severity "
                                                "or above: low, medium, high")] = None,
    analyzer: Annotated[list[str] | None, typer.Option(
        help="analyzers (repeatable; default semgrep,bandit). One named here that cannot run "
             "is an error (exit 2)")] = None,
    allow_unscanned: Annotated[bool, typer.Option(
        "--allow-unscanned", help="a program that could not be analyzed is a warning instead "
                                  "of failing the command (exit 3)")] = False,
) -> None:
    """Scan existing code with the static analyzers."""
    from vulnbench.analyzers import create_analyzer
    from vulnbench.scan import collect_inputs, evaluate, run_scan, to_sarif
    from vulnbench.scan.core import one_line

    if format not in ("table", "json", "sarif"):
        raise VulnbenchError(f"--format must be table, json or sarif, got {format!r}")
    if fail_on is not None and fail_on not in ("low", "medium", "high"):
        raise VulnbenchError(f"--fail-on must be low, medium or high, got {fail_on!r}")
    specs = DEFAULT_ANALYZERS if analyzer is None else analyzer
    names = list(dict.fromkeys(n.strip() for spec in specs for n in spec.split(",")
                               if n.strip()))
    if not names:
        raise VulnbenchError("--analyzer names no analyzer")
    analyzers = [create_analyzer(n) for n in names]
    for a in analyzers:
        if why := a.unavailable():
            if analyzer is not None:  # asked for by name: running without it is a weaker gate
                raise ToolMissingError(f"--analyzer {a.name} cannot run: {why}")
            _say(f"warning: {a.name} skipped: {why}")
    if all(a.unavailable() for a in analyzers):
        raise ToolMissingError("no analyzer could run")
    items = collect_inputs(paths)
    report = run_scan(items, analyzers)
    gate = evaluate(report, fail_on, allow_unscanned)  # type: ignore[arg-type]
    if format == "table":
        table = Table(title=f"vulnbench scan: {len(items)} programs")
        for col in ("program", "line", "tool", "rule", "CWE", "severity"):
            table.add_column(col)
        for res in report.results:
            for f in res.findings:
                table.add_row(Text(res.where), str(f.line or "-"), f.tool, Text(f.rule_id),
                              ",".join(f.cwe) or "-", f.severity)
            for err in res.errors:
                table.add_row(Text(res.where), "-", "unscanned", Text(err[:120]), "-", "-")
        if out:
            with out.open("w", encoding="utf-8") as fh:
                Console(file=fh, width=200).print(table)
        else:
            Console(file=sys.stdout, width=200).print(table)
    else:
        doc = to_sarif(report, gate) if format == "sarif" else report.to_json(gate)
        text = json.dumps(doc, indent=2) + "\n"
        if out:
            out.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
    for res in gate.unscanned:
        kind = "warning: unscanned (allowed)" if gate.allowed else "error: unscanned"
        _say(f"{kind}: {res.where}: {'; '.join(res.errors)}")
    found = sum(len(r.findings) for r in report.results)
    _say(f"{len(items)} programs, {found} findings, {len(gate.unscanned)} unscanned; "
         f"exit {gate.code}: {gate.description}"
         + (f"; report in {one_line(str(out))}" if out else ""))
    if gate.code:
        raise SystemExit(gate.code)
