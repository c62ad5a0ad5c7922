"""``vulnbench harden``: SecCoder's secure-demonstration store (``db``), the quality of its
retrievers (``retrieval-eval``) and the comparison of every prompting defence (``compare``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from vulnbench.cli.invert import ApiKeyEnv, BaseUrl, Concurrency, MaxRetries, Timeout, _backend
from vulnbench.pipeline.options import OptionError

app = typer.Typer(add_completion=False, help="Hardening: retrieval-augmented secure generation "
                  "(SecCoder) and a fair comparison of the prompting defences.")
db_app = typer.Typer(add_completion=False, help="The store of secure demonstrations.")
app.add_typer(db_app, name="db")
console = Console(stderr=True, markup=False, emoji=False, highlight=False, soft_wrap=True)

StoreOpt = Annotated[Path | None, typer.Option(
    "--store", help="store file (default: the user cache, ~/.cache/vulnbench/harden)")]


def _split(values: list[str]) -> list[str]:
    return [x.strip() for v in values for x in v.split(",") if x.strip()]


def _ints(text: str, what: str) -> list[int]:
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise OptionError(f"{what} takes integers, got {text!r}") from None


@db_app.command("add")
def db_add(
    file: Annotated[Path, typer.Argument(help="a JSONL of entries ({code, cwe, language, "
                                         "problem}) or one .py/.c source file")],
    cwe: Annotated[str | None, typer.Option(help="CWE of entries that name none")] = None,
    language: Annotated[str | None, typer.Option(help="python or c, for entries that name "
                                                 "none")] = None,
    store: StoreOpt = None,
) -> None:
    """Add secure code to the store; existing entries (and their embeddings) are kept."""
    from vulnbench.harden.store import DemoStore, load_user_demos

    demos = load_user_demos(file, cwe=cwe, language=language)
    with DemoStore.open(store) as db:
        added = db.add(demos)
        console.print(f"{added} new of {len(demos)} entr{'y' if len(demos) == 1 else 'ies'} "
                      f"from {file}; the store holds {len(db.demos())} "
                      f"(content {db.content_hash()[:12]}) at {db.path}")


@db_app.command("list")
def db_list(
    store: StoreOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per entry")] = False,
) -> None:
    """The store's entries: id, language, CWEs, source (or JSON lines with the code)."""
    from vulnbench.harden.store import DemoStore

    with DemoStore.open(store) as db:
        demos = db.demos()
        for d in demos:
            if as_json:
                typer.echo(json.dumps({"id": d.id, "language": d.language, "cwe": list(d.cwe),
                                       "source": d.source, "problem": d.problem,
                                       "code": d.code}))
            else:
                typer.echo(f"{d.id}\t{d.language}\t{','.join(d.cwe)}\t{d.source}")
        console.print(f"{len(demos)} entries, content {db.content_hash()[:12]}, at {db.path}")


@app.command("retrieval-eval")
def retrieval_eval(
    dataset: Annotated[str, typer.Option(help="tasks whose prompts are the queries")] =
        "builtin",
    retriever: Annotated[list[str], typer.Option(help="random, bm25, dense (repeatable or "
                                                 "comma-separated)")] = ["random", "bm25", "dense"],  # noqa: B006
    setting: Annotated[list[str], typer.Option(help="loo, exclude-cwe")] = ["loo", "exclude-cwe"],  # noqa: B006
    k: Annotated[str, typer.Option(help="accuracy over the top m, for these m")] = "1,3,5,10",
    store: StoreOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of a table")] =
        False,
) -> None:
    """SecCoder §5.3: how often the retrieved demonstrations are of the task's CWE (and CWE
    family), and how many must be retrieved on average to reach one. Needs no model."""
    from vulnbench.harden.quality import evaluate, render_table
    from vulnbench.harden.records import SETTINGS
    from vulnbench.harden.store import DemoStore

    settings = _split(setting)
    for name in settings:
        if name not in SETTINGS:
            raise OptionError(f"--setting must be loo or exclude-cwe, got {name!r}")
    with DemoStore.open(store) as db:
        report = evaluate(db, dataset=dataset, retrievers=[(r, {}) for r in _split(retriever)],
                          settings=settings,  # type: ignore[arg-type]
                          ms=_ints(k, "--k"))
    typer.echo(report.dumps() if as_json else render_table(report.rows))


@app.command()
def compare(
    out: Annotated[Path, typer.Option(help="comparison folder (an existing one is resumed)")],
    model: Annotated[str, typer.Option(help="the model (as for vulnbench run)")] = "local",
    n: Annotated[int, typer.Option(help="samples per task and defence")] = 2,
    dataset: Annotated[str, typer.Option(help="security tasks")] = "builtin",
    defence: Annotated[list[str], typer.Option(
        help="prompt styles to compare (repeatable or comma-separated); default: code (none), "
             "secure-instruction, cwe-aware, one-shot, retrieval:random, retrieval:bm25, "
             "retrieval:dense")] = [],  # noqa: B006
    baseline: Annotated[str, typer.Option(help="the defence the others are paired with")] =
        "code",
    temperature: Annotated[float, typer.Option(help="sampling temperature")] = 0.4,
    max_tokens: Annotated[int, typer.Option()] = 256,
    top_p: Annotated[float, typer.Option()] = 0.95,
    seed: Annotated[int, typer.Option()] = 0,
    k: Annotated[str, typer.Option(help="k values of secure@k, func-sec@k, pass@k")] = "1",
    limit: Annotated[int | None, typer.Option(help="only the first N tasks")] = None,
    task: Annotated[list[str], typer.Option(help="only these task ids")] = [],  # noqa: B006
    one_per_cwe: Annotated[bool, typer.Option(
        "--one-per-cwe", help="one task per language and CWE that has two or more (so "
                              "leave-one-out retrieval can find the CWE)")] = False,
    humaneval_limit: Annotated[int | None, typer.Option(
        help="HumanEval problems for the utility run (0: none)")] = 50,
    humaneval_n: Annotated[int, typer.Option(help="HumanEval samples per problem")] = 1,
    retrieval_setting: Annotated[str, typer.Option(help="loo or exclude-cwe")] = "loo",
    retrieval_top: Annotated[int, typer.Option(help="demonstrations per prompt")] = 1,
    retrieval_embedder: Annotated[str | None, typer.Option(help="dense: minilm or st:NAME")] =
        None,
    store: StoreOpt = None,
    sandbox: Annotated[str, typer.Option(help="bwrap or subprocess")] = "bwrap",
    reps: Annotated[int, typer.Option(help="bootstrap resamples")] = 2000,
    base_url: BaseUrl = None,
    api_key_env: ApiKeyEnv = "OPENAI_API_KEY",
    concurrency: Concurrency = 4,
    timeout: Timeout = 120.0,
    max_retries: MaxRetries = 5,
) -> None:
    """Run none / secure-instruction / cwe-aware / one-shot / retrieval (random, bm25, dense)
    on the same tasks and budget, and HumanEval under those that can prompt it; write one
    table with intervals and paired differences to the baseline (DIR/comparison.md, .json,
    report.html)."""
    from vulnbench.harden.experiment import DEFENCES, CompareOptions, run_comparison

    opts = CompareOptions(
        out=out, models=[model], dataset=dataset,
        defences=_split(defence) or list(DEFENCES), baseline=baseline, n=n,
        temperature=temperature, top_p=top_p, max_tokens=max_tokens, seed=seed,
        ks=_ints(k, "--k"), limit=limit, task_ids=list(task), one_per_cwe=one_per_cwe,
        humaneval=None if humaneval_limit == 0 else "humaneval",
        humaneval_limit=humaneval_limit or None, humaneval_n=humaneval_n,
        retrieval_setting=retrieval_setting, retrieval_top=retrieval_top,
        retrieval_store=str(store) if store else None, retrieval_embedder=retrieval_embedder,
        sandbox=sandbox, reps=reps,
        backend=_backend(base_url, api_key_env, concurrency, timeout, max_retries))
    table = run_comparison(opts, echo=lambda msg: console.print(msg))
    typer.echo(table.read_text())
    console.print(f"comparison in {table}, {table.with_suffix('.json')} and "
                  f"{table.parent / 'report.html'}")
