"""``vulnbench sandbox``: self-check a backend with hostile programs; run one file inside.

``sandbox run`` exits like the program did, so scripts can tell how it ended: the program's
own exit code when it finished, 124 when it ran out of time (as coreutils ``timeout``), 128+N
when signal N killed it (137: SIGKILL, also a program killed for memory), 125 when the sandbox
itself failed."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from vulnbench.errors import VulnbenchError
from vulnbench.pipeline.options import OptionError

if TYPE_CHECKING:
    from vulnbench.sandbox.base import RunResult

EXIT_TIMEOUT, EXIT_SANDBOX_FAILED, EXIT_KILLED = 124, 125, 137

app = typer.Typer(help="Check and use the sandbox.", no_args_is_help=True)


@app.command()
def check(backend: Annotated[str, typer.Option(help="sandbox backend")] = "bwrap") -> None:
    """Run the hostile-program suite; exit 1 if any case was not contained."""
    from vulnbench.sandbox.backends import create_sandbox
    from vulnbench.sandbox.selfcheck import run_checks

    sandbox = create_sandbox(backend)
    console = Console(markup=False, emoji=False, highlight=False)
    console.print(f"sandbox {sandbox.name}: {', '.join(sandbox.protections())}")
    table = Table(title=f"sandbox check: {backend}")
    for col in ("case", "result", "detail"):
        table.add_column(col)
    results = run_checks(sandbox, lambda r: console.print(
        f"  {r.name}: {'contained' if r.contained else 'NOT CONTAINED'}"))
    for r in results:
        table.add_row(Text(r.name), Text("contained") if r.contained else Text(
            "NOT CONTAINED", style="red"), Text(r.detail))  # details quote program output
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

    if not (math.isfinite(timeout) and timeout > 0):
        raise OptionError(f"--timeout must be a number of seconds > 0, got {timeout:g}")
    if not path.is_file():
        raise VulnbenchError(f"no such file: {path}")
    sandbox = create_sandbox(backend)
    source = path.read_bytes()
    result = sandbox.run([sandbox.python(), "-I", path.name], {path.name: source},
                         Limits(wall_seconds=timeout))
    print(f"status: {result.status}  exit: {result.exit_code}  seconds: {result.seconds:.2f}"
          f"{'  (output truncated)' if result.truncated else ''}")
    print("--- stdout ---\n" + result.stdout)
    print("--- stderr ---\n" + result.stderr, flush=True)
    status = exit_code(result)
    if status:
        raise SystemExit(status)


def exit_code(result: RunResult) -> int:
    """The shell's view of how the program ended (see the module docstring)."""
    code = result.exit_code
    if result.status == "timeout":
        return EXIT_TIMEOUT
    if result.status == "error":
        return EXIT_SANDBOX_FAILED
    if result.status in ("killed", "oom"):
        if code is not None and code < 0:  # a signal as subprocess reports it
            return 128 - code
        return code if code is not None and 128 < code < 256 else EXIT_KILLED
    if code is None or not 0 <= code < 256:
        return 1
    return code
