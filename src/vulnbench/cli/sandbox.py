"""``vulnbench sandbox``: self-check a backend with hostile programs; run one file inside."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from vulnbench.errors import VulnbenchError

app = typer.Typer(help="Check and use the sandbox.", no_args_is_help=True)


@app.command()
def check(backend: Annotated[str, typer.Option(help="sandbox backend")] = "bwrap") -> None:
    """Run the hostile-program suite; exit 1 if any case was not contained."""
    from vulnbench.sandbox.backends import create_sandbox
    from vulnbench.sandbox.selfcheck import run_checks

    sandbox = create_sandbox(backend)
    console = Console()
    console.print(f"sandbox {sandbox.name}: {', '.join(sandbox.protections())}")
    table = Table(title=f"sandbox check: {backend}")
    for col in ("case", "result", "detail"):
        table.add_column(col)
    results = run_checks(sandbox, lambda r: console.print(
        f"  {r.name}: {'contained' if r.contained else 'NOT CONTAINED'}"))
    for r in results:
        table.add_row(r.name, "contained" if r.contained else "[red]NOT CONTAINED[/red]",
                      r.detail)
    console.print(table)
    bad = [r for r in results if not r.contained]
    print(f"{len(results) - len(bad)} passed, {len(bad)} failed")
    if bad:
        raise SystemExit(1)


@app.command("run")
def run_file(path: Path, backend: Annotated[str, typer.Option()] = "bwrap",
             timeout: Annotated[float, typer.Option(help="wall-clock seconds")] = 30.0) -> None:
    """Run one Python file in the sandbox and print how it ended."""
    from vulnbench.sandbox.backends import create_sandbox
    from vulnbench.sandbox.base import Limits

    if not path.is_file():
        raise VulnbenchError(f"no such file: {path}")
    sandbox = create_sandbox(backend)
    code = path.read_bytes()
    result = sandbox.run([sandbox.python(), "-I", path.name], {path.name: code},
                         Limits(wall_seconds=timeout))
    print(f"status: {result.status}  exit: {result.exit_code}  seconds: {result.seconds:.2f}"
          f"{'  (output truncated)' if result.truncated else ''}")
    print("--- stdout ---\n" + result.stdout)
    print("--- stderr ---\n" + result.stderr)
