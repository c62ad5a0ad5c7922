"""Promising prompts out of an attack: exported as a dataset (§V-C), and completed by other
models to see whether they transfer (the paper's Tables IV/V: models x prompt sources).

A model condition is ``BACKEND[:NAME][@T]``: the same model at two temperatures is two
conditions. Each source folder's own model (at its code temperature) always completes its
prompts again, with fresh samples: its attack's codes were what made the prompts promising,
so reusing them would overstate the diagonal."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from vulnbench.attack.engine import CONFIG_KEY, LazyModel, resolve_chat
from vulnbench.attack.export import export_prompts, select_promising
from vulnbench.attack.fewshot import STOP, code_request
from vulnbench.attack.inversion import TRANSFER_KEY, load_attack
from vulnbench.attack.records import Condition, NonSecurePrompt, ScoredCode
from vulnbench.attack.scoring import analyze, build_code, mark_duplicates
from vulnbench.errors import DatasetError, RunStoreError
from vulnbench.models import BackendOptions
from vulnbench.pipeline.generate import WorkItem, generate, generation_key
from vulnbench.records import GenerationConfig, Task
from vulnbench.store import RunLock, RunStore

PROMPTING_KEY = "invert_transfer_prompting"
ALL = 1_000_000  # "every promising prompt"


def export_folder(folder: Path, out: Path, per_cwe: int, methods: set[str] | None) -> int:
    """``vulnbench invert export``: the promising prompts of an attack folder to ``out``."""
    attack, codes = load_attack(folder)
    try:
        tasks, provenance = select_promising(codes, attack.prompts, per_cwe, methods)
    finally:
        attack.store.close()
    if not tasks:
        raise DatasetError(f"{folder}: no promising prompt (none led to a vulnerable code)")
    export_prompts(tasks, out, provenance)
    return len(tasks)


class ModelCondition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    spec: str
    temperature: float

    @property
    def label(self) -> str:
        return f"{self.spec}@T{self.temperature:g}"


def parse_condition(text: str, default_temperature: float) -> ModelCondition:
    """``local@0.2`` -> (local, 0.2); ``openai:gpt-4o`` -> (openai:gpt-4o, default)."""
    spec, at, temp = text.rpartition("@")
    if at and spec:
        try:
            return ModelCondition(spec=spec, temperature=float(temp))
        except ValueError:
            pass
    return ModelCondition(spec=text, temperature=default_temperature)


class Cell(BaseModel):
    """The codes one model wrote for one source's prompts (one language)."""

    model_config = ConfigDict(extra="forbid")

    prompts: int = 0
    codes: int = 0
    scored: int = 0
    vulnerable: int = 0
    unjudged: int = 0
    per_cwe: dict[str, int] = {}  # targeted CWE -> vulnerable codes


class TransferResults(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: dict[str, str]  # source label -> attack folder
    models: list[str]
    k2: int
    # language -> completing model -> source -> cell
    matrix: dict[str, dict[str, dict[str, Cell]]]


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    label: str
    folder: str
    condition: ModelCondition
    code_tokens: int
    top_p: float
    tasks: list[Task]


def load_sources(folders: list[Path], per_cwe: int, echo: Callable[[str], None],
                 methods: set[str] | None = None) -> list[Source]:
    """Each folder's promising prompts (of ``methods``; default every method but the
    baseline, whose prompts are the examples' own)."""
    out: list[Source] = []
    for folder in folders:
        attack, codes = load_attack(folder, echo)
        try:
            cfg = attack.config
            tasks, _ = select_promising(codes, attack.prompts, per_cwe or ALL, methods)
        finally:
            attack.store.close()
        cond = ModelCondition(spec=cfg.model, temperature=cfg.temperature)
        label = cond.label
        if any(s.label == label for s in out):
            label = f"{label} ({folder.name})"
        if not tasks:
            echo(f"note: {folder}: no promising prompt; it adds an empty column")
        out.append(Source(label=label, folder=str(folder), condition=cond,
                          code_tokens=cfg.code_tokens, top_p=cfg.top_p, tasks=tasks))
    return out


def run_transfer(folders: list[Path], out: Path, models: list[str], k2: int, per_cwe: int,
                 code_tokens: int | None, options: BackendOptions,
                 echo: Callable[[str], None] = print, methods: set[str] | None = None
                 ) -> TransferResults:
    """Complete every source's promising prompts ``k2`` times with every model condition
    (the sources' own and ``models``), score them, write results.json, report.md and report.html."""
    if not folders:
        raise DatasetError("vulnbench invert transfer needs at least one attack folder")
    sources = load_sources(folders, per_cwe, echo, methods)
    conditions: list[ModelCondition] = []
    for cond in [s.condition for s in sources] + [
            parse_condition(m, sources[0].condition.temperature) for m in models]:
        if cond not in conditions:
            conditions.append(cond)
    with RunLock(out) as lock:
        lock.acquire(False, echo)
        store = RunStore(out / "run.sqlite")
        loaded: dict[str, LazyModel] = {}
        try:
            # its results.json and report.md would replace the attack's (or the run's)
            if store.get_meta(CONFIG_KEY) is not None or store.get_meta("run_spec") is not None:
                raise RunStoreError(f"{out} holds an attack or a `vulnbench run`; give "
                                    "transfer a --out folder of its own")
            store.set_meta(TRANSFER_KEY, ",".join(str(f) for f in folders))
            codes: dict[tuple[str, str], list[ScoredCode]] = {}
            for cond in conditions:
                lazy = loaded.setdefault(cond.spec, LazyModel(cond.spec, options))
                chat = _chat(store, cond.spec, lazy)
                for source in sources:
                    codes[(cond.label, source.label)] = _complete(
                        store, lazy, chat, cond, source, k2, code_tokens, echo)
            every = [c for group in codes.values() for c in group]
            analyze(every, store, [], echo)
            results = _results(sources, conditions, codes, k2)
            _write(out, results)
            return results
        finally:
            store.close()
            for lazy in loaded.values():
                lazy.close()


def _chat(store: RunStore, spec: str, lazy: LazyModel) -> bool:
    """Chat or completion prompting of one completing model, decided once per folder: a
    rerun with nothing left to ask never loads the model (nor needs its API key)."""
    key = f"{PROMPTING_KEY}:{spec}"
    saved = store.get_meta(key)
    if saved is not None:
        return saved == "chat"
    chat = resolve_chat("auto", lazy)
    store.set_meta(key, "chat" if chat else "completion")
    return chat


def _complete(store: RunStore, lazy: LazyModel, chat: bool, cond: ModelCondition,
              source: Source, k2: int, code_tokens: int | None,
              echo: Callable[[str], None]) -> list[ScoredCode]:
    gen_cfg = GenerationConfig(temperature=cond.temperature, top_p=source.top_p,
                               max_tokens=code_tokens or source.code_tokens, stop=list(STOP))
    attack_cond = Condition(method="fs-code", shots=0,
                            prompt_temperature=source.condition.temperature,
                            code_temperature=cond.temperature)
    prompts: list[NonSecurePrompt] = []
    items: list[WorkItem] = []
    for n, task in enumerate(source.tasks):
        nsp = NonSecurePrompt(
            id=f"{cond.label}|{source.label}|{task.id}", condition=attack_cond, fewshot_id="",
            cwe=task.cwe[0], language=task.language, permutation=0, index=n,
            text=task.code_prompt)
        prompts.append(nsp)
        request = code_request(f"{source.label}/{task.id}", task.code_prompt, task.language,
                               chat, "transfer")
        items += [WorkItem(generation_key(cond.spec, request, gen_cfg, j), nsp.id, j, request)
                  for j in range(k2)]
    items.sort(key=lambda it: (it.prompt.text, it.sample_index))  # shared prefixes adjacent
    echo(f"{cond.label} completes {len(prompts)} prompts of {source.label}, {k2} times each")
    asyncio.run(generate(store, items, "invert:transfer", cond.spec, gen_cfg, lazy,
                         lambda: None))
    by_id = {p.id: p for p in prompts}
    codes: list[ScoredCode] = []
    for order, item in enumerate(sorted(items, key=lambda it: (it.sample_index, it.task_id))):
        gen = store.get_generation(item.key)
        if gen is None:
            continue
        nsp = by_id[item.task_id]
        code, status, trimmed = build_code(nsp, gen, chat, trim=True)
        codes.append(ScoredCode(
            id=f"{nsp.id}/c{item.sample_index}", prompt_id=nsp.id, condition=attack_cond,
            cwe=nsp.cwe, language=nsp.language, permutation=0, prompt_index=nsp.index,
            index=item.sample_index, order=order, code=code, status=status,  # type: ignore[arg-type]
            trimmed=trimmed, completion_tokens=gen.completion.completion_tokens))
    mark_duplicates(codes)
    return codes


def _results(sources: list[Source], conditions: list[ModelCondition],
             codes: dict[tuple[str, str], list[ScoredCode]], k2: int) -> TransferResults:
    matrix: dict[str, dict[str, dict[str, Cell]]] = {}
    tasks = {s.label: s.tasks for s in sources}
    for (model, source), group in codes.items():
        for task in tasks[source]:
            matrix.setdefault(task.language, {}).setdefault(model, {}).setdefault(
                source, Cell()).prompts += 1
        for code in group:
            cell = matrix.setdefault(code.language, {}).setdefault(model, {}).setdefault(
                source, Cell())
            cell.codes += 1
            if code.status == "ok":
                cell.scored += 1
                if code.vulnerable:
                    cell.vulnerable += 1
                    cell.per_cwe[code.cwe] = cell.per_cwe.get(code.cwe, 0) + 1
                elif code.vulnerable is None:
                    cell.unjudged += 1
    return TransferResults(sources={s.label: s.folder for s in sources},
                           models=[c.label for c in conditions], k2=k2, matrix=matrix)


def render_transfer(results: TransferResults) -> str:
    lines = ["# Transferability of promising non-secure prompts", "",
             f"Each source's promising prompts (>= 1 vulnerable code in its attack) completed "
             f"k' = {results.k2} times by each model condition. Rows: the completing model; "
             "columns: where the prompts came from. #Code: codes written (syntax errors and "
             "exact duplicates included), #Vul: scored codes with >= 1 finding of any CWE.", ""]
    sources = list(results.sources)
    for language, rows in sorted(results.matrix.items()):
        lines += [f"## {language}", "",
                  "| model | " + " | ".join(f"{s} #Code | {s} #Vul" for s in sources) + " |",
                  "|---" * (1 + 2 * len(sources)) + "|"]
        for model in results.models:
            cells = [rows.get(model, {}).get(s, Cell()) for s in sources]
            lines.append(f"| {model} | " + " | ".join(f"{c.codes} | {c.vulnerable}"
                                                     for c in cells) + " |")
        lines.append("")
        cwes = sorted({cwe for r in rows.values() for c in r.values() for cwe in c.per_cwe},
                      key=lambda c: int(c.split("-")[1]))
        if cwes:
            lines += ["Vulnerable codes per targeted CWE:", "",
                      "| model | source | " + " | ".join(cwes) + " |",
                      "|---" * (2 + len(cwes)) + "|"]
            for model in results.models:
                for s in sources:
                    cell = rows.get(model, {}).get(s, Cell())
                    lines.append(f"| {model} | {s} | " + " | ".join(
                        str(cell.per_cwe.get(c, 0)) for c in cwes) + " |")
            lines.append("")
    return "\n".join(lines)


def _write(out: Path, results: TransferResults) -> None:
    for name, text in (("results.json", results.model_dump_json(indent=2)),
                       ("report.md", render_transfer(results))):
        tmp = out / f".{name}.tmp"
        tmp.write_text(text + "\n", encoding="utf-8")
        tmp.replace(out / name)
    from vulnbench.report.html import write_folder_page  # the page reads results.json

    write_folder_page(out)
