"""Loaders for public security-codegen benchmarks, selected with ``--dataset SOURCE:PATH``.

Each loader reads the source's own file or folder (``docs/public-benchmarks.md`` describes
what each takes; a single-file source also takes an http(s) URL, downloaded once into
``~/.cache/vulnbench/datasets``), maps its fields onto ``Task`` and says what the source
lacks (tests, references, ...) in ``LoadedDataset.notes``. Nothing of their data is shipped.

Choices that the task format forces:

- A source with a natural-language prompt only (LLMSecEval, CyberSecEval instruct) keeps it in
  ``text_prompt``; ``code_prompt`` (required) is that prompt written as a comment, announced as
  such, so the ``code`` style still has something to complete.
- HumanEval has no CWE (it measures functional utility): its tasks are of kind ``utility``
  and have none. ``CWE-0`` (``NO_CWE``), the marker it carried before task kinds, is still
  accepted in task files and exempt from unknown-CWE warnings.
- A record without a CWE (where the source should have one) is an error naming the record.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from vulnbench.datasets.loader import Dataset
from vulnbench.errors import DatasetError
from vulnbench.records import Task
from vulnbench.registry import Registry

log = logging.getLogger("vulnbench.datasets")

NO_CWE = "CWE-0"  # old marker of a task without a weakness; now: kind = "utility", no CWE


@dataclass
class LoadedDataset:
    """Tasks read from a public source, and what that source lacks (one note per gap)."""

    tasks: list[Task]
    notes: list[str] = field(default_factory=list)


@dataclass
class PublicDataset(Dataset):
    """What ``load_dataset("SOURCE:PATH")`` returns: a ``Dataset`` that also carries the notes
    on what the source lacks."""

    notes: list[str] = field(default_factory=list)


PublicLoader = Callable[[str], LoadedDataset]
public_loaders: Registry[PublicLoader] = Registry("public dataset source")

_MODULE = "vulnbench.datasets.public"
for _name, _target in {
    "sallm": "sallm:load",
    "securityeval": "securityeval:load",
    "llmseceval": "llmseceval:load",
    "codelmsec": "codelmsec:load",
    "cyberseceval-instruct": "cyberseceval:load_instruct",
    "cyberseceval-autocomplete": "cyberseceval:load_autocomplete",
    "cweval": "cweval:load",
    "humaneval": "humaneval:load",
}.items():
    public_loaders.register_lazy(_name, f"{_MODULE}.{_target}")


def split_spec(spec: str) -> tuple[str, str] | None:
    """``"sallm:/x/dataset.jsonl"`` -> ``("sallm", "/x/dataset.jsonl")``; a bare source name
    gives an empty path; None when ``spec`` names no public source."""
    source, _, path = spec.partition(":")
    if source.strip().lower() in public_loaders:
        return source.strip().lower(), path.strip()
    return None


_logged: set[str] = set()


def load_public(spec: str) -> LoadedDataset:
    """Load ``SOURCE:PATH``; the notes are logged once per spec and process."""
    parts = split_spec(spec)
    if parts is None:
        raise DatasetError(f"{spec!r} names no public source; known sources: "
                           f"{', '.join(public_loaders.names())}")
    source, path = parts
    loaded = public_loaders.get(source)(path)
    if not loaded.tasks:
        raise DatasetError(f"{spec}: the source yielded no tasks"
                           + (f" ({'; '.join(loaded.notes)})" if loaded.notes else ""))
    if spec not in _logged:
        _logged.add(spec)
        for note in loaded.notes:
            log.warning("%s: %s", spec, note)
    return loaded


__all__ = ["NO_CWE", "LoadedDataset", "PublicDataset", "load_public", "public_loaders",
           "split_spec"]
