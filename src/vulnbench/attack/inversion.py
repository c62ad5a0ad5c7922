"""``vulnbench invert``: one model-inversion attack from start to report. The run folder holds
the run store (every model call, the findings cache), the attack's config, ``results.json``
and ``report.md``; running the same command again resumes, and re-reports from the store."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from vulnbench.attack.config import InversionConfig
from vulnbench.attack.confirm import confirm, summarize
from vulnbench.attack.engine import (
    CONFIG_KEY,
    Attack,
    LazyModel,
    example_sets,
    resolve_chat,
    sample,
    stored_generation,
)
from vulnbench.attack.records import BASELINE, ScoredCode
from vulnbench.attack.report import write_outputs
from vulnbench.attack.results import InversionResults, build_results
from vulnbench.attack.scoring import analyze, build_code, mark_duplicates
from vulnbench.datasets import load_dataset
from vulnbench.errors import RunStoreError
from vulnbench.models import BackendOptions
from vulnbench.store import RunLock, RunStore

CHAT_KEY = "invert_prompting"
WALL_KEY = "invert_wall_seconds"
TRANSFER_KEY = "invert_transfer"  # set by attack.transfer (which imports this module)


def stored_config(out: Path) -> InversionConfig | None:
    db = out / "run.sqlite"
    if not db.is_file():
        return None
    store = RunStore(db)
    try:
        raw = store.get_meta(CONFIG_KEY)
    finally:
        store.close()
    return None if raw is None else InversionConfig.model_validate_json(raw)


def scored_codes(attack: Attack) -> list[ScoredCode]:
    """Every phase-2 code of the config, built, checked and de-duplicated (not analyzed)."""
    codes: list[ScoredCode] = []
    for call in attack.code_calls:
        nsp = attack.prompts[call.owner]
        gen = stored_generation(attack, call.item.key)
        if gen is None:
            continue
        code, status, trimmed = build_code(nsp, gen, attack.chat, attack.config.trim)
        codes.append(ScoredCode(
            id=f"{nsp.id}/c{call.item.sample_index}", prompt_id=nsp.id,
            condition=nsp.condition, cwe=nsp.cwe, language=nsp.language,
            permutation=nsp.permutation, prompt_index=nsp.index,
            index=call.item.sample_index, order=0, code=code, status=status,  # type: ignore[arg-type]
            trimmed=trimmed, completion_tokens=gen.completion.completion_tokens))
    # sampling order for growth curves: every prompt's first code, then every second...
    ranked = sorted(codes, key=lambda c: (c.index, c.prompt_index, c.permutation))
    for rank, scored in enumerate(ranked):
        scored.order = rank
    return codes


def invert(config: InversionConfig, out: Path, options: BackendOptions,
           echo: Callable[[str], None] = print, on_call: Callable[[], None] = lambda: None
           ) -> InversionResults:
    """Run (or resume) the attack ``config`` in ``out``; returns what it wrote."""
    started = time.perf_counter()
    examples = example_sets(config, echo)  # bad input fails before anything is written
    with RunLock(out) as lock:
        lock.acquire(False, echo)
        store = RunStore(out / "run.sqlite")
        get_model = LazyModel(config.model, options)
        try:
            if store.get_meta("run_spec") is not None:
                raise RunStoreError(f"{out} holds a `vulnbench run`; use a new --out folder")
            if store.get_meta(TRANSFER_KEY) is not None:  # its results.json would go
                raise RunStoreError(f"{out} holds a transfer; use a new --out folder")
            store.set_meta(CONFIG_KEY, config.model_dump_json())
            chat = _chat(store, config, get_model)
            attack = Attack(config, store, examples, chat, get_model, echo, on_call)
            sample(attack)
            codes = score(attack)
            seconds = time.perf_counter() - started + float(store.get_meta(WALL_KEY) or 0)
            store.set_meta(WALL_KEY, f"{seconds:.1f}")
            results = report(attack, codes, seconds)
            write_outputs(out, results)
            return results
        finally:
            store.close()
            get_model.close()


def _chat(store: RunStore, config: InversionConfig, get_model: LazyModel) -> bool:
    """Chat or completion prompting, decided once per folder (``auto`` asks the model)."""
    saved = store.get_meta(CHAT_KEY)
    if config.chat == "auto" and saved is not None:
        return saved == "chat"
    chat = resolve_chat(config.chat, get_model)
    store.set_meta(CHAT_KEY, "chat" if chat else "completion")
    return chat


def score(attack: Attack) -> list[ScoredCode]:
    """Codes built, de-duplicated, analyzed and (where a task's exploit applies) confirmed."""
    codes = scored_codes(attack)
    mark_duplicates(codes)
    analyze(codes, attack.store, attack.config.analyzers, attack.echo)
    if attack.config.confirm:
        confirm(codes, load_dataset("builtin").tasks, attack.store, attack.config.sandbox,
                attack.echo)
    return codes


def report(attack: Attack, codes: list[ScoredCode], seconds: float) -> InversionResults:
    config = attack.config
    return build_results(
        codes, attacked={lang: [c for lng, c in attack.targets(None) if lng == lang]
                         for lang in config.languages},
        main={m: config.main_condition(m)
              for m in [*config.methods, *([BASELINE] if config.baseline else [])]},
        prompts=attack.prompts, fewshots=attack.fewshots,
        examples={e.id: e for ex in attack.examples.values() for e in ex},
        info=_info(config, attack, attack.chat, seconds)).model_copy(
            update={"confirmation": summarize(codes)})


def load_attack(folder: Path, echo: Callable[[str], None] = print
                ) -> tuple[Attack, list[ScoredCode]]:
    """An attack folder read back without calling a model: its config, prompts and scored
    codes (findings come from the store's cache; codes never analyzed are analyzed now).
    Calls an interrupted attack never made are simply absent. Holds the folder's lock while
    it reads (scoring writes the folder's caches): an attack running there is not raced."""
    config = stored_config(folder)
    if config is None:
        raise RunStoreError(f"{folder} holds no attack (run vulnbench invert --out {folder})")
    with RunLock(folder) as lock:
        lock.acquire(False, echo)
        store = RunStore(folder / "run.sqlite")
        chat = store.get_meta(CHAT_KEY) == "chat"
        attack = Attack(config, store, example_sets(config, lambda _: None), chat,
                        LazyModel(config.model, BackendOptions()), echo, generate=False)
        sample(attack)
        return attack, score(attack)


def _info(config: InversionConfig, attack: Attack, chat: bool, seconds: float
          ) -> dict[str, object]:
    s = attack.stats
    return {"model": config.model, "config": config.model_dump(mode="json"),
            "prompting": "chat" if chat else "completion",
            "wall_seconds": round(seconds, 1), "model_seconds": round(s.model_seconds, 1),
            "calls": dict(s.calls), "new_calls": s.made, "reused_calls": s.reused,
            "prompt_tokens": s.prompt_tokens, "completion_tokens": s.completion_tokens}
