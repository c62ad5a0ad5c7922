"""Processing phase: raw completions -> samples (repair, syntax check, de-duplication).
Deterministic and cheap, so it is recomputed from stored generations on every run. A sample
whose repair lost the model's code is ``dropped_code`` and, like ``syntax_error``, counts in
n without being assessed."""

from __future__ import annotations

from collections.abc import Iterable

from vulnbench.pipeline.generate import WorkItem
from vulnbench.postprocess import check_syntax, find_duplicates, repair
from vulnbench.records import Sample, Task
from vulnbench.store import RunStore


def process_task(store: RunStore, task: Task, items: Iterable[WorkItem], condition: str,
                 dedup: str) -> list[Sample]:
    samples: list[Sample] = []
    for item in sorted(items, key=lambda it: (it.prompt_index, it.sample_index)):
        gen = store.get_generation(item.key)
        if gen is None:
            continue
        raw = gen.completion.text
        prefix = item.prompt.prefix
        result = repair(raw, prefix, language=task.language, entry_point=task.entry_point)
        compiles_raw = check_syntax(raw, task.language) is None
        sample = Sample(key=item.key, condition=condition, task_id=task.id,
                        sample_index=item.sample_index, raw=raw, code=result.code,
                        status="ok", repairs=result.rules, compiles_raw=compiles_raw,
                        prompt_index=item.prompt_index)
        if not result.extracted:
            sample.status, sample.error = "extract_failed", "no code in the output"
        else:
            problem = check_syntax(result.code, task.language)
            sample.compiles_repaired = problem is None
            if result.dropped:
                # never assess the prompt's stub in place of what the model wrote
                sample.status, sample.error = "dropped_code", result.dropped
            elif problem is not None:
                sample.status, sample.error = "syntax_error", problem
        samples.append(sample)
    candidates = [s.code if s.status == "ok" else None for s in samples]
    duplicates = find_duplicates(candidates, task.language, fuzzy=True)
    for position, info in duplicates.items():
        sample = samples[position]
        sample.duplicate_of = samples[info.of].sample_index
        sample.duplicate_kind = info.kind
        if dedup == "fuzzy" or (dedup == "exact" and info.kind == "exact"):
            sample.status = "duplicate"
    store.put_samples(samples)
    return samples
