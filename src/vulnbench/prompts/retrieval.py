"""SecCoder's retrieval styles (``retrieval:random``, ``retrieval:bm25``, ``retrieval:dense``):
the task's prompt with the most relevant secure demonstration of the store put before it in the
integration template of SecCoder's appendix A.

Python: the demonstration inside a string-literal fence (``\"\"\"`` then a Markdown code fence),
then the prompt. C: the demonstration inside ``#if 0 ... #endif``, then the prompt. Either way
the prompt the model sees is still a valid program, so a completion model continues the task's
code. The demonstration is context only: the prompt's ``prefix`` (what the sample's code is
joined to and what the analyzers and tests see) stays the task's own code prompt.

Parameters (``--retrieval-setting``, ``--retrieval-top``, ``--retrieval-store``,
``--retrieval-embedder``, ``--retrieval-base``): ``setting`` ``loo`` (in-distribution: a task
never retrieves its own reference) or ``exclude-cwe`` (generalisation: no demonstration of the
task's CWE); ``top`` demonstrations (best first, nearest to the prompt last); ``store`` a store
file (default the user cache); ``embedder`` for ``dense``; ``base`` ``code`` (completion of the
code prompt, the paper's setting) or ``text`` (a chat model asked the text prompt)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from vulnbench.errors import DatasetError
from vulnbench.prompts.styles import PromptContext, styles, system_instruction
from vulnbench.records import Prompt, Task

RETRIEVERS = ("random", "bm25", "dense")
STYLE_PREFIX = "retrieval:"
DEFAULTS = {"setting": "loo", "top": "1", "base": "code"}
PARAMS = ("setting", "top", "store", "embedder", "base")


def python_template(demos: Sequence[str], prompt: str) -> str:
    """App. A for Python: each demonstration in a docstring fence, then the prompt. The fence
    is the paper's ``\"\"\"`` where the demonstration allows it; one holding backslashes gets a
    raw string (its escapes would not parse), one holding ``\"\"\"`` gets ``'''``, and one
    holding both quote kinds ``#`` comments: the whole prompt stays a valid module."""
    blocks = []
    for code in demos:
        body = f"```\n{code.rstrip()}\n```"
        raw = "r" if "\\" in code else ""
        if '"""' not in code:
            blocks.append(f'{raw}"""\n{body}\n"""')
        elif "'''" not in code:
            blocks.append(f"{raw}'''\n{body}\n'''")
        else:
            blocks.append("\n".join(f"# {line}".rstrip() for line in body.splitlines()))
    return "\n".join(blocks) + "\n" + prompt


def c_template(demos: Sequence[str], prompt: str) -> str:
    """App. A for C/C++: each demonstration in ``#if 0`` ... ``#endif``, then the prompt. A
    demonstration's own ``#endif`` lines are balanced by its ``#if``s, so the block nests."""
    blocks = [f"#if 0\n```\n{code.rstrip()}\n```\n#endif" for code in demos]
    return "\n".join(blocks) + "\n" + prompt


def integrate(language: str, demos: Sequence[str], prompt: str) -> str:
    """The prompt with ``demos`` (best first) before it; the best one ends up nearest."""
    ordered = list(reversed(demos))
    return c_template(ordered, prompt) if language == "c" else python_template(ordered, prompt)


def params_of(raw: Mapping[str, str]) -> dict[str, str]:
    """The style's parameters with defaults; unknown keys and bad values are errors."""
    unknown = sorted(set(raw) - set(PARAMS))
    if unknown:
        raise DatasetError(f"retrieval styles take {', '.join(PARAMS)}; got {', '.join(unknown)}")
    params = {**DEFAULTS, **raw}
    if params["setting"] not in ("loo", "exclude-cwe"):
        raise DatasetError(f"--retrieval-setting must be loo or exclude-cwe, got "
                           f"{params['setting']!r}")
    if not params["top"].isdigit() or int(params["top"]) < 1:
        raise DatasetError(f"--retrieval-top must be an integer >= 1, got {params['top']!r}")
    if params["base"] not in ("code", "text"):
        raise DatasetError(f"--retrieval-base must be code or text, got {params['base']!r}")
    return params


def _hits(retriever: str, task: Task, params: Mapping[str, str]) -> tuple[list[Any], str]:
    """The retrieved demonstrations (best first) and the store's content hash."""
    from vulnbench.harden.retrievers import retrieve_for_task

    store = Path(params["store"]) if params.get("store") else None
    options = {"embedder": params["embedder"]} if params.get("embedder") else {}
    return retrieve_for_task(task, retriever, setting=params["setting"],
                             top=int(params["top"]), store_path=store, options=options)


def _retrieval_style(retriever: str, task: Task, ctx: PromptContext) -> list[Prompt]:
    params = params_of(ctx.params)
    hits, store_hash = _hits(retriever, task, params)
    if not hits:
        raise DatasetError(
            f"retrieval:{retriever} found no {task.language} demonstration for task {task.id!r} "
            f"under setting {params['setting']} (add some: vulnbench harden db add FILE)")
    codes = [h.demo.code for h in hits]
    meta = {"retriever": retriever, "setting": params["setting"], "store": store_hash,
            "demos": [h.demo.id for h in hits], "scores": [round(h.score, 6) for h in hits],
            "demo_cwes": [list(h.demo.cwe) for h in hits]}
    style = f"{STYLE_PREFIX}{retriever}"
    if params["base"] == "text":
        text = task.text_prompt.strip()
        if not text:
            raise DatasetError(f"task {task.id!r} has no text_prompt, which "
                               "--retrieval-base text needs")
        return [Prompt(task_id=task.id, style=style, kind="chat",
                       text=integrate(task.language, codes, text),
                       system=system_instruction(task), meta=meta)]
    return [Prompt(task_id=task.id, style=style, kind="completion",
                   text=integrate(task.language, codes, task.code_prompt),
                   prefix=task.code_prompt, meta=meta)]


@styles.register("retrieval:random")
def random_retrieval_style(task: Task, ctx: PromptContext) -> list[Prompt]:
    """SecCoder's ablation: a random secure demonstration (seeded by the prompt)."""
    return _retrieval_style("random", task, ctx)


@styles.register("retrieval:bm25")
def bm25_retrieval_style(task: Task, ctx: PromptContext) -> list[Prompt]:
    """SecCoder's sparse baseline: the BM25-nearest secure demonstration."""
    return _retrieval_style("bm25", task, ctx)


@styles.register("retrieval:dense")
def dense_retrieval_style(task: Task, ctx: PromptContext) -> list[Prompt]:
    """SecCoder: the demonstration nearest by cosine similarity of embeddings."""
    return _retrieval_style("dense", task, ctx)
