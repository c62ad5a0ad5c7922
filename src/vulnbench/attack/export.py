"""Promising non-secure prompts as a task file (paper §V-C): a prompt is promising when at least
one of its codes is vulnerable. Per (language, targeted CWE) the best of them, de-duplicated,
become ``generate`` tasks that ``vulnbench run --dataset FILE`` completes and scores, so that
any model can be measured on what the attack found (Table VI, ``attack.topk``)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from vulnbench.attack.records import BASELINE, NonSecurePrompt, ScoredCode
from vulnbench.postprocess.dedup import FUZZY_THRESHOLD, normalize_code
from vulnbench.records import Language, Task, normalize_cwe

SOURCE = "invert"
# Beside the task file, not ``*.json``: a folder given as a dataset loads every .json/.jsonl
# in it as tasks, and provenance rows are not tasks.
PROVENANCE_SUFFIX = ".provenance"


@dataclass
class _Tally:
    """One prompt's codes: how many, how many vulnerable, which CWEs were found."""

    prompt: NonSecurePrompt
    codes: int = 0
    vulnerable: int = 0
    found: Counter[str] = field(default_factory=Counter)
    vulnerable_ids: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.vulnerable / self.codes if self.codes else 0.0


def _tallies(codes: Iterable[ScoredCode], prompts: dict[str, NonSecurePrompt],
             methods: set[str] | None) -> dict[str, _Tally]:
    """Per prompt of the wanted methods, its codes counted (every code it produced is the
    denominator of its vulnerable share; a code that failed is a code that was not
    vulnerable)."""
    tallies: dict[str, _Tally] = {}
    for code in codes:
        prompt = prompts.get(code.prompt_id)
        if prompt is None:
            raise ValueError(f"code {code.id!r} names prompt {code.prompt_id!r}, which is not "
                             "among the prompts given")
        method = prompt.condition.method
        if method == BASELINE if methods is None else method not in methods:
            continue
        tally = tallies.setdefault(prompt.id, _Tally(prompt))
        tally.codes += 1
        if code.vulnerable is True:
            tally.vulnerable += 1
            tally.found.update(code.found)
            tally.vulnerable_ids.append(code.id)
    return tallies


def _rank(tally: _Tally) -> tuple[int, float, str]:
    return (-tally.vulnerable, -tally.share, tally.prompt.id)


def _is_duplicate(norm: str, chosen: list[str]) -> bool:
    return any(norm == other or fuzz.ratio(norm, other, score_cutoff=FUZZY_THRESHOLD)
               > FUZZY_THRESHOLD for other in chosen)


def task_id(language: str, cwe: str, n: int) -> str:
    """``invert-python-cwe089-001``: the CWE number zero-padded to three digits, as the paper's
    file names (and CodeLMSec's folders) write it."""
    number = int(normalize_cwe(cwe).split("-")[1])
    return f"invert-{language}-cwe{number:03d}-{n:03d}"


def select_promising(codes: Iterable[ScoredCode], prompts: dict[str, NonSecurePrompt],
                     per_cwe: int, methods: set[str] | None = None
                     ) -> tuple[list[Task], dict[str, dict[str, Any]]]:
    """The promising prompts as tasks, and per task id where it came from (prompt id,
    condition, method, few-shot prompt, codes and vulnerable codes, CWEs found).

    Per (language, targeted CWE): ranked by vulnerable codes, then vulnerable share, then
    prompt id; a prompt equal to (normalized) or a rapidfuzz ratio above 80 with one already
    chosen is skipped; the first ``per_cwe`` are kept. ``methods``: only prompts of these
    methods; by default every method but the baseline (its prompts are the examples' own)."""
    if per_cwe < 1:
        raise ValueError(f"per_cwe must be at least 1, got {per_cwe}")
    groups: dict[tuple[Language, str], list[_Tally]] = {}
    for tally in _tallies(codes, prompts, methods).values():
        if tally.vulnerable:
            key = (tally.prompt.language, normalize_cwe(tally.prompt.cwe))
            groups.setdefault(key, []).append(tally)
    tasks: list[Task] = []
    provenance: dict[str, dict[str, Any]] = {}
    for (language, cwe), group in sorted(groups.items()):
        chosen: list[str] = []
        for tally in sorted(group, key=_rank):
            if len(chosen) == per_cwe:
                break
            prompt = tally.prompt
            norm = normalize_code(prompt.text, language)
            if _is_duplicate(norm, chosen):
                continue
            chosen.append(norm)
            task = Task(id=task_id(language, cwe, len(chosen)), cwe=[cwe], language=language,
                        code_prompt=prompt.text, text_prompt="", source=SOURCE)
            tasks.append(task)
            provenance[task.id] = {
                "prompt_id": prompt.id, "condition": prompt.condition.label,
                "method": prompt.condition.method, "fewshot_id": prompt.fewshot_id,
                "codes": tally.codes, "vulnerable": tally.vulnerable,
                "share": round(tally.share, 4), "found": dict(sorted(tally.found.items())),
                "vulnerable_codes": tally.vulnerable_ids}
    return tasks, provenance


def promising(codes: Iterable[ScoredCode], prompts: dict[str, NonSecurePrompt], per_cwe: int,
              methods: set[str] | None = None) -> list[Task]:
    """The tasks of :func:`select_promising`, without their provenance."""
    return select_promising(codes, prompts, per_cwe, methods)[0]


def promising_counts(codes: Iterable[ScoredCode]) -> dict[str, dict[str, int]]:
    """Per condition label and targeted CWE, how many prompts are promising (before any
    de-duplication): the pool :func:`promising` picks from."""
    vulnerable: dict[tuple[str, str], set[str]] = {}
    for code in codes:
        key = (code.condition.label, normalize_cwe(code.cwe))
        prompts = vulnerable.setdefault(key, set())
        if code.vulnerable is True:
            prompts.add(code.prompt_id)
    counts: dict[str, dict[str, int]] = {}
    for (label, cwe), ids in sorted(vulnerable.items()):
        counts.setdefault(label, {})[cwe] = len(ids)
    return counts


def provenance_path(out: Path) -> Path:
    """Where :func:`export_prompts` keeps provenance: ``prompts.jsonl.provenance`` (JSON)."""
    return out.with_name(out.name + PROVENANCE_SUFFIX)


def export_prompts(tasks: list[Task], out: Path,
                   provenance: dict[str, dict[str, Any]] | None = None) -> None:
    """A JSON Lines task file (one ``Task`` a line) that ``load_dataset`` reads as is. Tasks
    forbid unknown fields, so provenance goes to :func:`provenance_path` (task id -> record)."""
    ids = [t.id for t in tasks]
    if not tasks:
        raise ValueError("no tasks to export (a task file needs at least one)")
    if len(set(ids)) != len(ids):
        raise ValueError("task ids must be unique in one task file")
    unknown = sorted(set(provenance or {}) - set(ids))
    if unknown:
        raise ValueError(f"provenance for tasks not exported: {unknown}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(t.model_dump(mode="json"), ensure_ascii=False) + "\n"
                           for t in tasks), encoding="utf-8")
    sidecar = provenance_path(out)
    if provenance is None:
        sidecar.unlink(missing_ok=True)  # a stale one would describe other tasks
    else:
        sidecar.write_text(
            json.dumps(provenance, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
            encoding="utf-8")
