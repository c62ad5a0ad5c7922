"""``vulnbench classify``: ask a model whether code is vulnerable (``--task detect``) or which
CWE it has (``--task cwe``) about each task's references (SecuCoGen, experiment 6). The folder
resumes like a run's: a rerun asks only for the answers it lacks."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from vulnbench.cli.invert import ApiKeyEnv, BaseUrl, Concurrency, MaxRetries, Timeout
from vulnbench.models.base import BackendOptions
from vulnbench.pipeline.options import OptionError

console = Console(stderr=True, markup=False, emoji=False, highlight=False, soft_wrap=True)


def _figure(value: Any) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) \
        else f"{value:.3f}"


def classify(
    out: Annotated[Path, typer.Option(help="classification folder; an existing one is "
                                      "resumed")],
    task: Annotated[str, typer.Option(help="detect (vulnerable or not, on both references) "
                                      "or cwe (which CWE the insecure reference has)")],
    dataset: Annotated[str, typer.Option(help="dataset name or task file/folder")] = "demo",
    model: Annotated[str, typer.Option(help="BACKEND[:NAME], as for vulnbench run")] =
        "local",
    n: Annotated[int, typer.Option(help="answers per question (each one scored)")] = 1,
    temperature: Annotated[float, typer.Option(help="sampling temperature")] = 0.0,
    max_tokens: Annotated[int, typer.Option(help="the answer comes first, so this can be "
                                            "short")] = 48,
    top_p: Annotated[float, typer.Option()] = 0.95,
    seed: Annotated[int, typer.Option()] = 0,
    limit: Annotated[int | None, typer.Option(help="only the first N tasks")] = None,
    task_id: Annotated[list[str], typer.Option(help="only these task ids (repeatable)")] =
        [],  # noqa: B006
    base_url: BaseUrl = None,
    api_key_env: ApiKeyEnv = "OPENAI_API_KEY",
    concurrency: Concurrency = 4,
    timeout: Timeout = 120.0,
    max_retries: MaxRetries = 5,
    no_chat: Annotated[bool, typer.Option("--no-chat", help="ask as a completion ending in "
                                          "'Answer:' even if the model has a chat template")]
        = False,
    progress: Annotated[bool, typer.Option(help="show a progress bar")] = True,
) -> None:
    """Ask a model to classify the tasks' reference code; write DIR/results.json, DIR/report.md
    and DIR/report.html (accuracy, macro/weighted F1, confusion matrix, per-CWE Table 7)."""
    from vulnbench.classify.parse import UNPARSEABLE
    from vulnbench.classify.runner import ClassifyOptions
    from vulnbench.classify.runner import classify as run_classify

    if task not in ("detect", "cwe"):
        raise OptionError(f"--task must be detect or cwe, got {task!r}")
    opts = ClassifyOptions(
        out=out, dataset=dataset, task=task,  # type: ignore[arg-type]
        model=model, temperature=temperature, n=n, max_tokens=max_tokens, top_p=top_p,
        seed=seed, limit=limit, task_ids=list(task_id),
        backend=BackendOptions(base_url=base_url, api_key_env=api_key_env,
                               concurrency=concurrency, timeout=timeout,
                               max_retries=max_retries,
                               extra={"chat": "false"} if no_chat else {}),
        progress=progress and sys.stderr.isatty())
    results = run_classify(opts, echo=lambda msg: console.print(msg))
    s = results["summary"]
    typer.echo(f"{task}: accuracy {_figure(s['accuracy'])}, macro F1 "
               f"{_figure(s['macro']['f1'])}, unparseable {s['predicted'].get(UNPARSEABLE, 0)} "
               f"of {s['n']} answers")
    console.print(f"{results['new_answers']} new and {results['reused_answers']} reused "
                  f"answers; results in {out}/results.json, report in {out}/report.md and "
                  f"{out}/report.html")
