"""Records shared by the hardening modules: a secure-code demonstration and a retrieval hit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from vulnbench.records import stable_hash

Language = Literal["python", "c"]
# in-distribution (leave-one-out: a task never retrieves its own reference) or generalisation
# (demonstrations sharing a CWE with the task are excluded), SecCoder §4.1
Setting = Literal["loo", "exclude-cwe"]
SETTINGS: tuple[Setting, ...] = ("loo", "exclude-cwe")


@dataclass(frozen=True)
class Demonstration:
    """One secure program of the store. ``id`` is the built-in task id for a built-in entry
    (so leave-one-out can recognise a task's own reference) and ``user:<content hash>`` for a
    user's addition; ``problem`` is the functional description (may be empty)."""

    id: str
    language: Language
    cwe: tuple[str, ...]
    code: str
    problem: str = ""
    source: str = "builtin"

    @property
    def content_hash(self) -> str:
        """What the entry is: its code, language, CWEs and problem (not where it came from)."""
        return stable_hash([self.language, list(self.cwe), self.code, self.problem])


@dataclass(frozen=True)
class Hit:
    """A ranked demonstration: its rank (1 = best) and the retriever's score."""

    demo: Demonstration
    rank: int
    score: float
    meta: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
