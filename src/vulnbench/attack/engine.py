"""Runs a model-inversion attack through the run store: phase 1 samples k non-secure prompts
per few-shot prompt, phase 2 completes each k' times, then every code is checked, de-duplicated
and scored. Each model call is committed as it finishes under a content-addressed key, so a
killed attack resumes without repeating a call and a larger k only adds samples.

Calls that share a prefix run back to back (all k samples of one few-shot prompt, then the
next; all k' completions of one non-secure prompt): a local llama.cpp model then evaluates the
long shared prefix once instead of once per call. Its output on a reused prefix is not
bit-identical to a cold evaluation, so at T > 0 the order can change sampled text (measured
by benchmarks/inversion.py); a stored call is what the model answered and is never re-asked."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vulnbench.attack.config import InversionConfig
from vulnbench.attack.examples import builtin_examples, examples_for, load_examples
from vulnbench.attack.fewshot import (
    STOP,
    build_fewshot,
    clean_prompt,
    code_request,
    fewshot_request,
)
from vulnbench.attack.records import (
    BASELINE,
    Condition,
    FewShotPrompt,
    InversionExample,
    NonSecurePrompt,
)
from vulnbench.errors import DatasetError
from vulnbench.models import BackendOptions, ModelBackend, create_model
from vulnbench.pipeline.generate import WorkItem, generate, generation_key
from vulnbench.records import Generation, GenerationConfig, Prompt
from vulnbench.store import RunStore

CONFIG_KEY = "invert_config"
PROMPTS_PHASE = "invert:prompts"
CODES_PHASE = "invert:codes"


@dataclass
class Call:
    """One model call of a phase and what it belongs to."""

    item: WorkItem
    config: GenerationConfig
    owner: str  # the few-shot prompt id (phase 1) or the non-secure prompt id (phase 2)
    condition: Condition | None = None  # phase 1: the condition whose prompt it samples


@dataclass
class Stats:
    made: int = 0
    reused: int = 0
    model_seconds: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: dict[str, int] = field(default_factory=dict)

    def add(self, gen: Generation) -> None:
        self.model_seconds += gen.seconds
        self.prompt_tokens += gen.completion.prompt_tokens or 0
        self.completion_tokens += gen.completion.completion_tokens or 0


@dataclass
class Attack:
    """Everything an attack's phases share."""

    config: InversionConfig
    store: RunStore
    examples: dict[tuple[str, str], list[InversionExample]]
    chat: bool
    get_model: Callable[[], ModelBackend]
    echo: Callable[[str], None] = print
    on_call: Callable[[], None] = lambda: None
    fewshots: dict[str, FewShotPrompt] = field(default_factory=dict)
    prompts: dict[str, NonSecurePrompt] = field(default_factory=dict)
    code_calls: list[Call] = field(default_factory=list)
    stats: Stats = field(default_factory=Stats)
    generate: bool = True  # False: read what is stored, call no model

    def targets(self, cwes: list[str] | None) -> list[tuple[str, str]]:
        """(language, CWE) pairs a condition attacks, in config order."""
        wanted = cwes or self.config.cwes
        return [(lang, cwe) for lang in self.config.languages for cwe in self.config.cwes
                if cwe in wanted and (lang, cwe) in self.examples]


def example_sets(config: InversionConfig, echo: Callable[[str], None]
                 ) -> dict[tuple[str, str], list[InversionExample]]:
    """Examples per attacked (language, CWE): the user's file first, then built-in ones to
    fill up to shots + 1. A CWE with examples in none of the languages is an error naming
    what is available."""
    builtin = builtin_examples()
    mine = load_examples(Path(config.examples_file)) if config.examples_file else []
    pool = [*mine, *builtin]
    most = max([config.shots, *config.sweep_shots]) + 1
    sets: dict[tuple[str, str], list[InversionExample]] = {}
    for cwe in config.cwes:
        for lang in config.languages:
            found = examples_for(mine, cwe, lang, most)
            taken = {e.id for e in found}
            found += [e for e in examples_for(builtin, cwe, lang, most)
                      if e.id not in taken][:most - len(found)]
            if found:
                sets[(lang, cwe)] = found
        if not any((lang, cwe) in sets for lang in config.languages):
            have = sorted({e.cwe for e in pool if e.language in config.languages},
                          key=lambda c: int(c.split("-")[1]))
            raise DatasetError(
                f"no example of {cwe} in {'/'.join(config.languages)}: add some with "
                f"--examples FILE, or attack one of: {', '.join(have)}")
    for (language, target), chosen in sets.items():
        if len(chosen) < most:
            echo(f"note: {target} ({language}) has {len(chosen)} example(s); few-shot prompts "
                 f"use {len(chosen) - 1 or 1} demonstration(s) instead of {most - 1}")
    for cwe in config.cwes:
        missing = [lang for lang in config.languages if (lang, cwe) not in sets]
        if missing:
            echo(f"note: {cwe} has no {'/'.join(missing)} example; attacked in the other "
                 "language only")
    return sets


def _sorted_calls(calls: list[Call], order: str) -> list[Call]:
    """Prefix order: every call of one request back to back, requests sharing text adjacent.
    Interleaved (the benchmark's baseline): sample index major, so consecutive calls differ
    in their prompt and no prefix is reused."""
    if order == "prefix":
        # the task id keeps two requests with one text (often sampled alike) apart
        return sorted(calls, key=lambda c: (c.item.prompt.text, c.config.temperature,
                                            c.item.task_id, c.item.sample_index))
    return sorted(calls, key=lambda c: (c.item.sample_index, c.config.temperature,
                                        c.item.prompt.text))


async def _run_calls(attack: Attack, calls: list[Call], phase: str) -> None:
    """The stored calls are skipped; the rest run in order, one ``generate`` per sampling
    config (generate runs its items in the given order on a one-at-a-time local model)."""
    done = attack.store.generation_keys()
    todo = [c for c in calls if c.item.key not in done]
    attack.stats.reused += len(calls) - len(todo)
    attack.stats.calls[phase] = len(calls)
    attack.store.put_prompts({c.item.prompt.hash: c.item.prompt for c in todo}.values())
    groups: list[list[Call]] = []
    for call in _sorted_calls(todo, attack.config.order):
        if groups and groups[-1][0].config == call.config:
            groups[-1].append(call)
        else:
            groups.append([call])
    for group in groups:
        attack.stats.made += await generate(
            attack.store, [c.item for c in group], phase, attack.config.model, group[0].config,
            attack.get_model, attack.on_call)


def stored_generation(attack: Attack, key: str) -> Generation | None:
    """A stored call (counted in the attack's model time and tokens); None when the attack
    is being read without calling the model and this call was never made."""
    gen = attack.store.get_generation(key)
    if gen is not None:
        attack.stats.add(gen)
    elif attack.generate:  # generate() commits every call it makes before returning
        raise RuntimeError(f"generation {key} missing after its phase ran")
    return gen


def prompt_calls(attack: Attack) -> list[Call]:
    """Phase 1: k samples of every few-shot prompt of every few-shot condition."""
    cfg = attack.config
    calls: list[Call] = []
    for cond, cwes in cfg.conditions():
        if cond.method == BASELINE:
            continue
        gen_cfg = GenerationConfig(temperature=cond.prompt_temperature, top_p=cfg.top_p,
                                   max_tokens=cfg.prompt_tokens, stop=list(STOP), seed=cfg.seed)
        for lang, cwe in attack.targets(cwes):
            for p in range(cfg.permutations):
                fs = build_fewshot(attack.examples[(lang, cwe)], cond.method, cond.shots, p,
                                   seed=cfg.seed, cwe=cwe)
                attack.fewshots[fs.id] = fs
                request = fewshot_request(fs, attack.chat)
                for i in range(cfg.k):
                    key = generation_key(cfg.model, request, gen_cfg, i)
                    calls.append(Call(WorkItem(key, fs.id, i, request), gen_cfg, fs.id,
                                      cond))
    return calls


def collect_prompts(attack: Attack, calls: Sequence[Call]) -> None:
    """The non-secure prompts phase 1 sampled, and the baseline's (the examples' own)."""
    for call in calls:
        fs, cond = attack.fewshots[call.owner], call.condition
        assert cond is not None  # prompt_calls sets it on every phase-1 call
        gen = stored_generation(attack, call.item.key)
        if gen is None:
            continue
        text = clean_prompt(fs.primer, gen.completion.text, fs.language, attack.chat)
        nsp = NonSecurePrompt(
            id=(f"{cond.label}/{fs.language}/{fs.cwe}/p{fs.permutation}"
                f"/q{call.item.sample_index}"),
            condition=cond, fewshot_id=fs.id, cwe=fs.cwe, language=fs.language,
            permutation=fs.permutation, index=call.item.sample_index, text=text,
            raw=gen.completion.text, tokens=gen.completion.completion_tokens)
        attack.prompts[nsp.id] = nsp


def baseline_prompts(attack: Attack) -> dict[str, int]:
    """The paper's CVE-prompt baseline: each example's own prompt, completed as many times in
    all as the attack completes per CWE (permutations x k x k'), spread over the examples.
    Returns prompt id -> its number of completions."""
    cfg = attack.config
    if not cfg.baseline:
        return {}
    cond = cfg.main_condition(BASELINE)
    counts: dict[str, int] = {}
    for lang, cwe in attack.targets(None):
        examples = attack.examples[(lang, cwe)]
        total = cfg.permutations * cfg.k * cfg.k2
        for e, example in enumerate(examples):
            n = total // len(examples) + (1 if e < total % len(examples) else 0)
            if not n:
                continue
            nsp = NonSecurePrompt(
                id=f"{cond.label}/{lang}/{cwe}/p{e}/q0", condition=cond, fewshot_id="",
                cwe=cwe, language=lang, permutation=e, index=0,  # type: ignore[arg-type]
                text=example.prompt.strip("\n") + "\n", raw=f"example:{example.id}")
            attack.prompts[nsp.id] = nsp
            counts[nsp.id] = n
    return counts


def code_calls(attack: Attack, baseline: dict[str, int]) -> list[Call]:
    """Phase 2: k' completions of every non-empty non-secure prompt."""
    cfg = attack.config
    calls: list[Call] = []
    for nsp in attack.prompts.values():
        if not nsp.text.strip():
            continue
        gen_cfg = GenerationConfig(temperature=nsp.condition.code_temperature, top_p=cfg.top_p,
                                   max_tokens=cfg.code_tokens, stop=list(STOP), seed=cfg.seed)
        request: Prompt = code_request(nsp.id, nsp.text, nsp.language, attack.chat,
                                       nsp.condition.method)
        for j in range(baseline.get(nsp.id, cfg.k2)):
            key = generation_key(cfg.model, request, gen_cfg, j)
            calls.append(Call(WorkItem(key, nsp.id, j, request), gen_cfg, nsp.id))
    attack.code_calls = calls
    return calls


def sample(attack: Attack) -> None:
    """Both phases; what is stored is not asked again (nothing is, when the attack only
    reads its store)."""
    first = prompt_calls(attack)
    if attack.generate:
        asyncio.run(_run_calls(attack, first, PROMPTS_PHASE))
    collect_prompts(attack, first)
    second = code_calls(attack, baseline_prompts(attack))
    if attack.generate:
        asyncio.run(_run_calls(attack, second, CODES_PHASE))


class LazyModel:
    """The attack's model, loaded on first use (a resumed attack with nothing left to ask
    never loads it) and closed once."""

    def __init__(self, spec: str, options: BackendOptions) -> None:
        self.spec, self.options = spec, options
        self.model: ModelBackend | None = None

    def __call__(self) -> ModelBackend:
        if self.model is None:
            self.model = create_model(self.spec, self.options)
        return self.model

    def close(self) -> None:
        if self.model is not None:
            asyncio.run(self.model.aclose())
            self.model = None


def resolve_chat(mode: str, get_model: Callable[[], ModelBackend]) -> bool:
    """``auto``: chat when the backend has a chat template (the paper prompts ChatGPT with
    an instruction and CodeGen with raw text)."""
    if mode != "auto":
        return mode == "chat"
    return get_model().chat_template
