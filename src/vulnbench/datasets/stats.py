"""What commands ask of a loaded dataset: its summary figures, and the tasks named by id (an
unknown id is an error naming it and its close matches, never silently skipped)."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Sequence

from vulnbench.datasets.loader import Dataset
from vulnbench.errors import DatasetError
from vulnbench.records import Task


def dataset_stats(ds: Dataset) -> dict[str, object]:
    """Tasks, languages, CWEs (overall and per language), tasks per CWE, tasks with both
    tests, the content hash and the source's notes on what it lacks."""
    per_cwe: Counter[str] = Counter(c for t in ds.tasks for c in t.cwe)
    langs: Counter[str] = Counter(t.language for t in ds.tasks)
    return {
        "dataset": ds.name, "tasks": len(ds.tasks), "languages": dict(langs),
        "cwes": len(per_cwe),
        "cwes_by_language": {lang: len({c for t in ds.tasks if t.language == lang
                                        for c in t.cwe}) for lang in langs},
        "tasks_per_cwe": dict(sorted(per_cwe.items(), key=lambda kv: _cwe_number(kv[0]))),
        "with_tests": sum(1 for t in ds.tasks if t.functional_test and t.security_test),
        "content_hash": ds.content_hash,
        "missing": list(getattr(ds, "notes", [])),
    }


def _cwe_number(cwe: str) -> tuple[int, str]:
    digits = cwe[4:]
    return (int(digits), cwe) if digits.isdigit() else (1 << 30, cwe)


def select_tasks(ds: Dataset, ids: Sequence[str]) -> list[Task]:
    """The tasks of ``ids`` in dataset order; all of them when ``ids`` is empty."""
    if not ids:
        return list(ds.tasks)
    known = [t.id for t in ds.tasks]
    unknown = [i for i in dict.fromkeys(ids) if i not in set(known)]
    if unknown:
        raise DatasetError(f"dataset {ds.name!r} has no task(s) " + "; ".join(
            _with_matches(i, known) for i in unknown))
    wanted = set(ids)
    return [t for t in ds.tasks if t.id in wanted]


def _with_matches(task_id: str, known: list[str]) -> str:
    close = difflib.get_close_matches(task_id, known, n=3, cutoff=0.6)
    return task_id + (f" (did you mean {', '.join(close)}?)" if close else "")
