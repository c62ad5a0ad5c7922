"""The classification experiment (SecuCoGen, experiment 6) as a resumable run: every question
(a task's reference and what it asks) is one work item of the run pipeline's generation phase,
so each answer is committed to the run store when it arrives and a rerun asks only for what is
missing. Answers are parsed and scored afresh on every run, so a better parser needs no call."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from vulnbench.classify.outputs import Row, results_of, write_outputs
from vulnbench.classify.parse import NOT_VULNERABLE, VULNERABLE, parse_cwe, parse_detection
from vulnbench.classify.prompts import as_completion, cwe_choices, cwe_prompt, detect_prompt
from vulnbench.cwe import cwe_name
from vulnbench.datasets import Dataset, load_dataset
from vulnbench.errors import DatasetError, ModelError, RunStoreError, VulnbenchError
from vulnbench.models import backends, create_model, parse_model
from vulnbench.models.base import BackendOptions, ModelBackend
from vulnbench.pipeline.generate import WorkItem, generate, plan
from vulnbench.pipeline.run import progress_bars
from vulnbench.records import CWE_KINDS, GenerationConfig, Prompt, Task
from vulnbench.store import RunLock, RunStore

ClassifyTask = Literal["detect", "cwe"]
Rendering = Literal["chat", "completion"]
_SHORT = re.compile(r"\('([^']+)'\)")


@dataclass
class ClassifyOptions:
    out: Path
    dataset: str
    task: ClassifyTask
    model: str = "local"
    temperature: float = 0.0
    n: int = 1
    max_tokens: int = 48
    top_p: float = 0.95
    seed: int = 0
    limit: int | None = None
    task_ids: list[str] = field(default_factory=list)
    backend: BackendOptions = field(default_factory=BackendOptions)
    progress: bool = False


@dataclass(frozen=True)
class Question:
    """One thing asked of the model about one task's reference; ``index`` is the prompt
    index (detection: 0 the insecure reference, 1 the secure one)."""

    task: Task
    truth: str
    prompt: Prompt
    index: int = 0


@dataclass
class Questions:
    per_task: list[list[Question]]
    choices: list[tuple[str, str]]  # the CWE-type answers to choose from ([] for detection)
    skipped: dict[str, int]  # reason -> tasks

    def find(self, task_id: str, index: int) -> Question:
        return self._by_key[(task_id, index)]

    def __post_init__(self) -> None:
        self._by_key = {(q.task.id, q.index): q for qs in self.per_task for q in qs}


def classify(opts: ClassifyOptions, echo: Callable[[str], None] = print) -> dict[str, Any]:
    """Ask, resume, parse and score; writes OUT/results.json and OUT/report.md and returns
    what results.json holds. Bad input fails before the run folder is touched."""
    config = _validate(opts)
    dataset = load_dataset(opts.dataset).select(opts.task_ids, opts.limit)
    questions = build_questions(dataset, opts.task)
    for reason, count in questions.skipped.items():
        echo(f"note: {count} task{'s' if count != 1 else ''} skipped: {reason}")
    with RunLock(opts.out) as lock:  # taken once the input is known good
        lock.acquire(False, echo)
        store = RunStore(opts.out / "run.sqlite")
        try:
            rendering, items, made = _ask(store, opts, questions, config, echo)
            rows = _rows(store, questions, items, opts.task)
            other = _stored_rows(store, opts, dataset, config, rendering)
        finally:
            store.close()
        results = results_of(opts, dataset.name, questions.choices, rows, rendering,
                             questions.skipped, n_items=len(items) // opts.n, new=made,
                             other=other)
        write_outputs(opts.out, results)
    return results


# input -----------------------------------------------------------------------------------
def _validate(opts: ClassifyOptions) -> GenerationConfig:
    """Bad names and values fail before anything is loaded or written."""
    if opts.task not in ("detect", "cwe"):
        raise VulnbenchError(f"--task must be detect or cwe, got {opts.task!r}")
    backends.get(parse_model(opts.model)[0])
    if opts.limit is not None and opts.limit < 1:
        raise VulnbenchError(f"--limit must be at least 1, got {opts.limit}")
    try:
        return GenerationConfig(n=opts.n, temperature=opts.temperature, top_p=opts.top_p,
                                max_tokens=opts.max_tokens, seed=opts.seed)
    except ValidationError as err:
        first = err.errors()[0]
        name = str(first["loc"][0]).replace("_", "-")
        raise VulnbenchError(f"--{name}: {first['msg']} (got {first['input']!r})") from None


def _lacks(task: Task, kind: ClassifyTask) -> str | None:
    """Why ``task`` cannot be asked about (None: it can)."""
    if task.kind not in CWE_KINDS:
        return f"a {task.kind} task has no weakness to classify"
    if kind == "detect" and not (task.insecure_reference and task.secure_reference):
        return "detection needs both an insecure and a secure reference"
    if kind == "cwe" and not task.insecure_reference:
        return "CWE-type prediction needs an insecure reference"
    return None


def build_questions(dataset: Dataset, kind: ClassifyTask) -> Questions:
    """Detection: each task's insecure reference (truth vulnerable) and secure one (not), so
    the classes are balanced. CWE type: each insecure reference, with the primary CWE of every
    task asked about as the choices."""
    usable: list[Task] = []
    skipped: dict[str, int] = {}
    for task in dataset.tasks:
        reason = _lacks(task, kind)
        if reason is None:
            usable.append(task)
        else:
            skipped[reason] = skipped.get(reason, 0) + 1
    if not usable:
        why = "; ".join(f"{n} task(s): {r}" for r, n in skipped.items()) or "it has no tasks"
        raise DatasetError(f"dataset {dataset.name!r} has no task usable for --task {kind} "
                           f"({why})")
    if kind == "detect":
        return Questions([[Question(t, VULNERABLE, detect_prompt(t.id, t.insecure_reference,
                                                                 t.language), 0),
                           Question(t, NOT_VULNERABLE, detect_prompt(t.id, t.secure_reference,
                                                                     t.language), 1)]
                          for t in usable], [], skipped)
    choices = cwe_choices(t.cwe[0] for t in usable)
    return Questions([[Question(t, t.cwe[0], cwe_prompt(t.id, t.insecure_reference,
                                                        t.language, choices))]
                      for t in usable], choices, skipped)


# generation ------------------------------------------------------------------------------
def _rendering_key(opts: ClassifyOptions) -> str:
    chat = "no-chat" if opts.backend.extra.get("chat") == "false" else "chat"
    return f"classify:rendering:{opts.model}:{chat}"


def _work(opts: ClassifyOptions, questions: Questions, config: GenerationConfig,
          rendering: str) -> list[WorkItem]:
    def render(p: Prompt) -> Prompt:
        return as_completion(p) if rendering == "completion" else p

    return plan(opts.model, [[render(q.prompt) for q in qs] for qs in questions.per_task],
                config)


def _ask(store: RunStore, opts: ClassifyOptions, questions: Questions, config: GenerationConfig,
         echo: Callable[[str], None]) -> tuple[Rendering, list[WorkItem], int]:
    """Every answer the store lacks. How prompts were rendered (chat, or completion for a model
    without a chat template) is recorded when the model is first loaded, so a full resume
    knows its keys and loads no model."""
    key = _rendering_key(opts)
    recorded = store.get_meta(key)
    if recorded in ("chat", "completion"):
        items = _work(opts, questions, config, recorded)
        done = store.generation_keys()
        if all(it.key in done for it in items):
            return recorded, items, 0  # type: ignore[return-value]
    echo(f"loading model {opts.model} ...")
    model = create_model(opts.model, opts.backend)
    rendering: Rendering = "chat" if model.chat_template else "completion"
    store.set_meta(key, rendering)
    store.set_meta(f"model:{opts.model}", model.spec().model_dump_json())
    items = _work(opts, questions, config, rendering)
    store.put_prompts({it.prompt.hash: it.prompt for it in items}.values())
    with progress_bars(opts.progress) as progress:
        done = store.generation_keys()
        bar = progress.add_task("classify", total=len(items),
                                completed=sum(it.key in done for it in items))
        try:
            made = asyncio.run(_generate(store, items, opts, config, model,
                                         lambda: progress.advance(bar)))
        except ModelError as err:
            kept = len(store.generation_keys() & {it.key for it in items})
            raise ModelError(f"{err} ({kept} of {len(items)} answers are stored in "
                             f"{opts.out}; run the same command again to resume)") from None
    return rendering, items, made


async def _generate(store: RunStore, items: list[WorkItem], opts: ClassifyOptions,
                    config: GenerationConfig, model: ModelBackend,
                    on_done: Callable[[], None]) -> int:
    """The run pipeline's generation phase; the model is closed in the loop it ran in."""
    try:
        return await generate(store, items, f"classify:{opts.task}", opts.model, config,
                              lambda: model, on_done)
    finally:
        await model.aclose()


def _stored_rows(store: RunStore, opts: ClassifyOptions, dataset: Dataset,
                 config: GenerationConfig, rendering: Rendering) -> list[Row]:
    """The other task's answers when this folder holds all of them for the same tasks and
    options (``--task detect`` then ``--task cwe`` into one folder): Table 7 then shows both,
    as the paper's does. Read from the store, never asked; empty when any is missing."""
    kind: ClassifyTask = "cwe" if opts.task == "detect" else "detect"
    try:
        questions = build_questions(dataset, kind)
    except DatasetError:
        return []
    items = _work(opts, questions, config, rendering)
    done = store.generation_keys()
    if not items or not all(it.key in done for it in items):
        return []
    return _rows(store, questions, items, kind)


# parsing ---------------------------------------------------------------------------------
def _predict(question: Question, text: str, kind: ClassifyTask,
             choices: list[tuple[str, str]]) -> str:
    """The parsed answer; for CWE type, naming any of the task's CWE ids counts as its
    primary one (a task may list a parent or an equivalent beside it)."""
    if kind == "detect":
        return parse_detection(text)
    ids = [cid for cid, _ in choices]
    ids += [c for c in question.task.cwe if c not in ids]
    names = {cid: short_name(dict(choices).get(cid) or cwe_name(cid)) for cid in ids}
    got = parse_cwe(text, ids, {cid: name for cid, name in names.items() if name})
    return question.task.cwe[0] if got in question.task.cwe else got


def short_name(name: str) -> str:
    """MITRE's short form, what an answer names ("SQL Injection" of "Improper Neutralization
    ... ('SQL Injection')"), else the whole name."""
    match = _SHORT.search(name)
    return match.group(1) if match else name


def _rows(store: RunStore, questions: Questions, items: list[WorkItem],
          kind: ClassifyTask) -> list[Row]:
    rows: list[Row] = []
    for it in items:
        gen = store.get_generation(it.key)
        if gen is None:  # generate() stores every item or raises
            raise RunStoreError(f"{store.path}: answer {it.key} is missing; run again")
        q = questions.find(it.task_id, it.prompt_index)
        text = gen.completion.text
        rows.append(Row(task_id=q.task.id, cwe=q.task.cwe[0], truth=q.truth,
                        predicted=_predict(q, text, kind, questions.choices),
                        sample_index=it.sample_index, answer=text, seconds=gen.seconds))
    return rows

