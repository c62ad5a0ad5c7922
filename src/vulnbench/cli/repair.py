"""``vulnbench repair``: SecuCoGen's repair experiments as a run. The model gets each task's
problem and insecure code (``--explain``: and the explanation of the flaw) and returns fixed
code, which goes through the run pipeline (post-processing, static and sandboxed verdicts,
resumable run folder) like generated code; ``repair.json``/``repair.md`` then add the repair
outcomes and CodeBLEU@k.

The command takes ``run``'s options (all but the prompt style, which ``--explain`` and
``--completion`` choose, and the retrieval ones): its signature is made from ``run``'s, so the
two never drift apart."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from typing import Annotated, Any

import typer

from vulnbench.errors import DatasetError

# run's options that repair does not take: it chooses the style itself
DROPPED = frozenset({"style", "retrieval_setting", "retrieval_top", "retrieval_store",
                     "retrieval_embedder", "retrieval_base", "config"})
_EXTRA = {
    "explain": Annotated[bool, typer.Option(
        "--explain", help="give the model the explanation of the insecure code (SecuCoGen "
                          "experiment 5)")],
    "completion": Annotated[bool, typer.Option(
        "--completion", help="completion prompts (the insecure code fenced, then the code "
                             "prompt to continue) instead of chat prompts")],
}


def eligible_tasks(dataset: str, explain: bool, task_ids: list[str]) -> tuple[list[str], int]:
    """Ids of the tasks repair can prompt (an insecure reference; an explanation with
    ``--explain``), restricted to ``task_ids`` when given, and how many were left out."""
    from vulnbench.datasets import load_dataset

    tasks = load_dataset(dataset).select(task_ids).tasks
    usable = [t.id for t in tasks if t.insecure_reference.strip()
              and (not explain or t.explanation.strip())]
    if not usable:
        need = "an insecure reference and an explanation" if explain else "an insecure reference"
        raise DatasetError(f"no task of dataset {dataset!r} has {need}, which repair needs")
    return usable, len(tasks) - len(usable)


def make_repair_command(run_fn: Callable[..., None], run_options: Callable[..., Any],
                        echo: Callable[[str], None]) -> Callable[..., None]:
    """The ``repair`` command, with ``run_fn``'s options less :data:`DROPPED` plus
    ``--explain`` and ``--completion``."""
    hints = typing.get_type_hints(run_fn, include_extras=True)
    params = [p.replace(annotation=hints[p.name])
              for p in inspect.signature(run_fn).parameters.values() if p.name not in DROPPED]
    params += [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=False,
                                 annotation=kind) for name, kind in _EXTRA.items()]

    def repair(**kwargs: Any) -> None:
        from vulnbench.pipeline import run as run_pipeline
        from vulnbench.prompts.repair import repair_style
        from vulnbench.repair.report import write_repair_outputs

        explain, completion = kwargs.pop("explain"), kwargs.pop("completion")
        wait, force = kwargs.pop("wait"), kwargs.pop("force_options")
        defaults = {p.name: p.default for p in inspect.signature(run_fn).parameters.values()}
        args = {**{n: defaults[n] for n in DROPPED if n != "config"}, **kwargs,
                "style": repair_style(explain, completion)}
        usable, left = eligible_tasks(args["dataset"], explain, list(args["task"]))
        if left:
            echo(f"note: {left} task(s) have no insecure reference"
                 f"{' or explanation' if explain else ''}: left out of the repair run")
            args["task"] = usable
        opts = run_options(args)
        run_pipeline(opts, echo=echo, wait=wait, force_options=force)
        results = write_repair_outputs(opts.out, echo)
        for c in results["conditions"]:
            shares = ", ".join(f"{o} {c['outcomes'][o]}" for o in c["outcomes"])
            sec = c["metrics"].get("SEC@1", {}).get("value")
            bleu = c["metrics"].get("CodeBLEU@1", {}).get("value")
            echo(f"{c['condition']}: {c['samples']} samples: {shares}; SEC@1 "
                 f"{'n/a' if sec is None else f'{sec:.3f}'}, CodeBLEU@1 "
                 f"{'n/a' if bleu is None else f'{100 * bleu:.1f}'}")
        echo(f"repair figures in {opts.out}/repair.json and {opts.out}/repair.md; the run's "
             f"own results in {opts.out}/results.json")

    repair.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    repair.__annotations__ = {p.name: p.annotation for p in params}
    repair.__doc__ = ("Repair insecure code (SecuCoGen experiments 4 and 5): run's options, "
                      "the repaired code assessed like generated code; resumes --out.")
    return repair
