"""The ``vulnbench`` command line. User errors print one actionable line and exit non-zero,
never a traceback: 2 for a bad option or input (before anything is written), 130 when
interrupted (Ctrl-C). What the user typed (model names, paths, task ids) and error messages
are printed literally, never read as rich markup or emoji codes."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from vulnbench.analyzers.runner import DEFAULT_ANALYZERS
from vulnbench.cli.classify import classify as classify_command
from vulnbench.cli.compare import compare as compare_command
from vulnbench.cli.config import run_config
from vulnbench.cli.dataset import app as dataset_app
from vulnbench.cli.dataset import check_out_file
from vulnbench.cli.harden import app as harden_app
from vulnbench.cli.invert import app as invert_app
from vulnbench.cli.repair import make_repair_command
from vulnbench.cli.sandbox import app as sandbox_app
from vulnbench.cli.scan import scan as scan_command
from vulnbench.errors import VulnbenchError
from vulnbench.models.base import BackendOptions
from vulnbench.report.markdown import HEADLINE, headline_rows
from vulnbench.results import Results, results_schema

if TYPE_CHECKING:
    from vulnbench.pipeline import RunOptions

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Measure, attack and harden the security of LLM-written code.")
# markup and emoji off: "openai:x:..." must not become an emoji, nor "out[bold]" a style;
# soft wrap: a long path stays one line to copy
console = Console(stderr=True, markup=False, emoji=False, highlight=False, soft_wrap=True)
INTERRUPTED = "interrupted"
# a run commits every sample as it finishes, so the same command resumes where it stopped
RESUMABLE = {"run": "interrupted: the run folder keeps every finished sample; run the same "
                    "command again to resume",
             "invert": "interrupted: the attack folder keeps every finished model call; run "
                       "the same command again to resume",
             "harden": "interrupted: the comparison's run folders keep every finished "
                       "sample; run the same command again to resume",
             "repair": "interrupted: the run folder keeps every finished repair; run the "
                       "same command again to resume",
             "classify": "interrupted: the folder keeps every finished answer; run the "
                         "same command again to resume",
             "report": "interrupted: run the same command again to finish the report"}
app.add_typer(dataset_app, name="dataset")
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(invert_app, name="invert")
app.add_typer(harden_app, name="harden")
app.command("scan")(scan_command)
app.command("classify")(classify_command)
app.command("compare")(compare_command)


def _floats(text: str, what: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise VulnbenchError(f"{what} takes comma-separated numbers, got {text!r}") from None


def _ints(text: str, what: str) -> list[int]:
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise VulnbenchError(f"{what} takes comma-separated integers, got {text!r}") from None


def print_headline(results: Results) -> None:
    table = Table(title="vulnbench headline (95% bootstrap CI)")
    for name in ("condition", *HEADLINE):
        table.add_column(name)
    for row in headline_rows(results):
        table.add_row(*(Text(cell) for cell in row))  # condition labels carry model names
    Console(width=max(160, Console().width), emoji=False).print(table)


def run_options(args: dict[str, Any]) -> RunOptions:
    """``RunOptions`` from the values of ``run``'s options (by parameter name), which
    ``repair`` shares; RunOptions checks every value (OptionError, exit 2) before anything is
    written."""
    from vulnbench.pipeline import RunOptions

    a = args
    models = [m.strip() for spec in a["model"] for m in spec.split(",") if m.strip()]
    return RunOptions(
        out=a["out"], dataset=a["dataset"], models=models,
        temperatures=_floats(a["temperature"], "--temperature"), style=a["style"], n=a["n"],
        ks=_ints(a["k"], "--k"), top_p=a["top_p"], max_tokens=a["max_tokens"],
        stop=list(a["stop"]), seed=a["seed"], limit=a["limit"], task_ids=list(a["task"]),
        policy=a["policy"], dedup=a["dedup"], analyzers=list(a["analyzer"]),
        sandbox=a["sandbox"], run_tests=not a["no_tests"],
        backend=BackendOptions(base_url=a["base_url"], api_key_env=a["api_key_env"],
                               concurrency=a["concurrency"], timeout=a["timeout"],
                               max_retries=a["max_retries"],
                               extra={"chat": "false"} if a["no_chat"] else {}),
        progress=a["progress"] and sys.stderr.isatty(),
        retrieval_setting=a["retrieval_setting"], retrieval_top=a["retrieval_top"],
        retrieval_store=a["retrieval_store"], retrieval_embedder=a["retrieval_embedder"],
        retrieval_base=a["retrieval_base"],
    )


@app.command()
def run(
    out: Annotated[Path, typer.Option(help="run directory; an existing one is resumed")],
    dataset: Annotated[str, typer.Option(help="dataset name or task file/folder")] = "demo",
    model: Annotated[list[str], typer.Option(
        help="BACKEND[:NAME], repeatable or comma-separated (local, openai:NAME, "
             "litellm:NAME, hf:PATH, replay:FILE, replay:DIR)")] = ["local"],  # noqa: B006
    temperature: Annotated[str, typer.Option(help="one value or a sweep: 0,0.2,0.4 (default "
                                             "0.2; a replay file named dataset_{model}_{T}"
                                             ".jsonl has its own)")] = "",
    style: Annotated[str, typer.Option(help="prompt style, or several comma-separated: "
                                       "each makes conditions like a temperature")] = "code",
    n: Annotated[int, typer.Option(help="samples per task")] = 5,
    k: Annotated[str, typer.Option(help="k values for the @k metrics")] = "1,3,5",
    top_p: Annotated[float, typer.Option()] = 0.95,
    max_tokens: Annotated[int, typer.Option()] = 256,
    stop: Annotated[list[str], typer.Option(help="stop sequence (repeatable)")] = [],  # noqa: B006
    seed: Annotated[int, typer.Option()] = 0,
    limit: Annotated[int | None, typer.Option(help="only the first N tasks")] = None,
    task: Annotated[list[str], typer.Option(help="only these task ids")] = [],  # noqa: B006
    policy: Annotated[str, typer.Option(help="target (task's CWE family) or any")] = "target",
    dedup: Annotated[str, typer.Option(help="none, exact or fuzzy")] = "none",
    analyzer: Annotated[list[str], typer.Option(help="static analyzers")] = list(  # noqa: B006
        DEFAULT_ANALYZERS),
    sandbox: Annotated[str, typer.Option(help="bwrap or subprocess")] = "bwrap",
    no_tests: Annotated[bool, typer.Option("--no-tests", help="static assessment only")] = False,
    base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible endpoint")] = None,
    api_key_env: Annotated[str, typer.Option(help="env var holding the API key")] =
        "OPENAI_API_KEY",
    concurrency: Annotated[int, typer.Option(help="parallel API requests")] = 4,
    timeout: Annotated[float, typer.Option(help="seconds per API request")] = 120.0,
    max_retries: Annotated[int, typer.Option()] = 5,
    no_chat: Annotated[bool, typer.Option("--no-chat", help="send text prompts as "
                                          "completions even if the model has a chat template")]
        = False,
    retrieval_setting: Annotated[str, typer.Option(
        help="retrieval:* styles: loo (never the task's own reference) or exclude-cwe (no "
             "demonstration of the task's CWE)")] = "loo",
    retrieval_top: Annotated[int, typer.Option(help="retrieval:* styles: demonstrations per "
                                               "prompt")] = 1,
    retrieval_store: Annotated[str | None, typer.Option(
        help="retrieval:* styles: demonstration store file (default: the user cache)")] = None,
    retrieval_embedder: Annotated[str | None, typer.Option(
        help="retrieval:dense: embedding model (minilm, or st:NAME)")] = None,
    retrieval_base: Annotated[str, typer.Option(
        help="retrieval:* styles: code (complete the code prompt) or text (chat)")] = "code",
    progress: Annotated[bool, typer.Option(help="show progress bars")] = True,
    wait: Annotated[bool, typer.Option("--wait", help="if another process works in --out, "
                                       "wait for it instead of refusing")] = False,
    force_options: Annotated[bool, typer.Option("--force-options", help="run with these "
                                                "options where --out was run with others "
                                                "(see docs/runs.md)")] = False,
    config: Annotated[Path | None, typer.Option(
        help="TOML file with these options under [run]; options typed here win (docs/cli.md)",
        callback=run_config, is_eager=True)] = None,
) -> None:
    """Generate, repair, assess and score; resumes an existing run directory."""
    from vulnbench.pipeline import run as run_pipeline

    opts = run_options(locals())
    results = run_pipeline(opts, echo=lambda msg: console.print(msg), wait=wait,
                           force_options=force_options)
    print_headline(results)
    s = results.stats
    console.print(f"{s.new_generations} new and {s.reused_generations} reused generations; "
                  f"results in {out}/results.json, report in {out}/report.md and "
                  f"{out}/report.html")


app.command("repair")(make_repair_command(run, run_options, lambda msg: console.print(msg)))


@app.command()
def report(out: Annotated[Path, typer.Argument(help="an existing run directory")],
           html: Annotated[bool, typer.Option(
               "--html", hidden=True,
               help="no effect: report.html is always written (kept for old scripts)")] = False
           ) -> None:
    """Re-score and re-write a run's reports (results.json, report.md, samples.jsonl,
    report.html) from its store alone: no model call, nothing assessed, no dataset loaded (see
    docs/runs.md). A classify, attack or harden-comparison folder has its report.html
    re-written from its JSON outputs. A folder written before runs recorded what they scored
    has its pipeline re-run once, with the options it was run with."""
    from vulnbench.pipeline import run as run_pipeline
    from vulnbench.pipeline.options import options_from_json
    from vulnbench.pipeline.rescore import report as rescore
    from vulnbench.report.html import write_folder_page
    from vulnbench.store import RunStore

    del html
    if out.is_dir() and (page := write_folder_page(out)) is not None:
        console.print(f"html report in {page_size(page)}")
        return
    db = out / "run.sqlite"
    if not db.is_file():
        raise VulnbenchError(f"{out} holds no run store (run.sqlite); start one with vulnbench run")
    results = rescore(out, echo=lambda msg: console.print(msg))
    if results is None:
        store = RunStore(db)
        saved = store.get_meta("options")
        store.close()
        if saved is None:
            raise VulnbenchError(f"{db} does not record its run options; re-run vulnbench run")
        opts = options_from_json(saved, out)  # options out of range: one error, no note
        console.print(f"note: {out} was written before runs recorded what they scored; its "
                      "pipeline runs once more to record it (no model call when every "
                      "generation is stored)")
        opts.progress = sys.stderr.isatty()
        results = run_pipeline(opts, echo=lambda msg: console.print(msg))
    print_headline(results)
    console.print(f"{results.stats.new_generations} new generations; report in {out}/report.md")
    if any(c.style.startswith("repair") for c in results.run_spec.conditions):
        from vulnbench.repair.report import write_repair_outputs

        write_repair_outputs(out)
        console.print(f"repair figures in {out}/repair.json and {out}/repair.md")
    console.print(f"html report in {page_size(out / 'report.html')}")


def page_size(page: Path) -> str:
    """The page and the size it takes, with the sample files a large run keeps beside it."""
    text = f"{page} ({page.stat().st_size / 1024:.1f} KiB"
    assets = page.parent / "report_files"
    if assets.is_dir():
        size = sum(p.stat().st_size for p in assets.iterdir() if p.is_file())
        text += f"; sample detail in {assets}, {size / 1024 / 1024:.1f} MiB"
    return text + ")"


@app.command()
def schema(out: Annotated[Path | None, typer.Option(help="write here")] = None) -> None:
    """Print (or write) the JSON Schema of results.json."""
    check_out_file(out)
    text = results_schema()
    if out:
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as err:
            raise VulnbenchError(f"--out {out}: cannot write ({err.strerror})") from None
    else:
        sys.stdout.write(text)


@app.command("list")
def list_plugins(
    kind: Annotated[str, typer.Argument(help="models, styles, datasets, analyzers, sandboxes, "
                                        "scorers, task-kinds, reporters")]
) -> None:
    """List the registered plugins of one kind."""
    from vulnbench.analyzers import analyzers
    from vulnbench.datasets import datasets
    from vulnbench.models import backends
    from vulnbench.pipeline.scorers import kinds, scorers
    from vulnbench.prompts import styles
    from vulnbench.registry import Registry
    from vulnbench.report.reporters import reporters
    from vulnbench.sandbox.backends import sandboxes

    registries: dict[str, Registry[Any]] = {
        "models": backends, "styles": styles, "datasets": datasets, "analyzers": analyzers,
        "sandboxes": sandboxes, "scorers": scorers, "task-kinds": kinds,
        "reporters": reporters}
    if kind not in registries:
        raise VulnbenchError(f"unknown kind {kind!r}; choose one of: {', '.join(registries)}")
    for name in registries[kind].names():
        print(name)


def _interrupted(argv: list[str]) -> NoReturn:
    command = next((a for a in argv if not a.startswith("-")), "")
    console.print(RESUMABLE.get(command, INTERRUPTED))
    raise SystemExit(130)


def main() -> None:
    logging.basicConfig(level=os.environ.get("VULNBENCH_LOG", "WARNING"),
                        format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("stevedore").setLevel(logging.CRITICAL)  # bandit's optional formatters
    try:
        # typer turns Ctrl-C inside a command into Exit(130), which standalone_mode=False
        # returns rather than raises
        code = app(standalone_mode=False)
    except VulnbenchError as err:
        console.print(Text.assemble(("error:", "red"), " ", str(err)))
        raise SystemExit(err.exit_code) from None
    except (KeyboardInterrupt, typer.Abort):
        _interrupted(sys.argv[1:])
    except Exception as err:  # click usage errors
        import click

        if isinstance(err, click.exceptions.ClickException):
            err.show()
            raise SystemExit(err.exit_code) from None
        raise
    if code == 130:
        _interrupted(sys.argv[1:])
    if isinstance(code, int) and not isinstance(code, bool) and code:
        raise SystemExit(code)


if __name__ == "__main__":
    main()
