"""CWE names and family matching for the ``target`` policy: a finding counts for a task when
its CWE is the task's CWE, a declared equivalent, or its parent or child in MITRE's Research
Concepts view (CWE-1000, from PyPI ``cwe2``). Pillars (CWE-20, 74, 707, ...) are too broad
to make two weaknesses one family and are never used as the link."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from vulnbench.records import normalize_cwe

# Pairs that tools and datasets use interchangeably for the same weakness.
EQUIVALENT: tuple[frozenset[int], ...] = (
    frozenset({259, 798}),          # hard-coded password / credentials
    frozenset({327, 328, 916}),     # broken crypto / weak hash / weak password hash
    frozenset({330, 338}),          # weak randomness
    frozenset({77, 78}),            # command injection
    frozenset({94, 95}),            # code injection / eval injection
    frozenset({79, 80}),            # cross-site scripting
    frozenset({22, 23, 36}),        # path traversal
    frozenset({400, 1333}),         # ReDoS / uncontrolled resource consumption
    frozenset({611, 776}),          # XML external entities / entity expansion
    frozenset({119, 120, 787}),     # buffer overflow (write)
)


def _num(cwe: str) -> int:
    return int(normalize_cwe(cwe).split("-")[1])


@dataclass(frozen=True)
class Catalog:
    names: dict[int, str]
    abstraction: dict[int, str]
    parents: dict[int, frozenset[int]]
    children: dict[int, frozenset[int]]


_CHILD_OF = re.compile(r"NATURE:ChildOf:CWE ID:(\d+):VIEW ID:1000")


@cache
def catalog() -> Catalog:
    """MITRE's CWE-1000 view from ``cwe2`` (empty when the package is missing)."""
    try:
        import cwe2  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        return Catalog({}, {}, {}, {})
    files = sorted(Path(cwe2.__file__).parent.glob("database_v*/navigate_cwe/1000.csv"))
    if not files:
        return Catalog({}, {}, {}, {})
    names: dict[int, str] = {}
    abstraction: dict[int, str] = {}
    parents: dict[int, set[int]] = {}
    children: dict[int, set[int]] = {}
    with files[-1].open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            try:
                n = int(row.get("CWE-ID") or "")
            except ValueError:
                continue
            names[n] = row.get("Name", "")
            abstraction[n] = row.get("Weakness Abstraction", "")
            for p in _CHILD_OF.findall(row.get("Related Weaknesses", "")):
                parents.setdefault(n, set()).add(int(p))
                children.setdefault(int(p), set()).add(n)
    return Catalog(names, abstraction,
                   {k: frozenset(v) for k, v in parents.items()},
                   {k: frozenset(v) for k, v in children.items()})


_ENTRY = re.compile(r'<(Weakness|Category|View) ID="(\d+)"')


@cache
def known_ids() -> frozenset[int]:
    """Every id in MITRE's CWE list as shipped by ``cwe2`` (weaknesses, categories, views,
    deprecated entries: all are real ids); empty when the list is not available. The CWE-1000
    view alone would call categories such as CWE-310 unknown."""
    try:
        import cwe2  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        return frozenset()
    files = sorted(Path(cwe2.__file__).parent.glob("database_v*/cwec_v*.xml"))
    if not files:
        return frozenset(catalog().names)
    text = files[-1].read_text(encoding="utf-8")
    return frozenset(int(m[2]) for m in _ENTRY.finditer(text))


def is_known(cwe: str | int) -> bool | None:
    """Whether ``cwe`` is an id in MITRE's list; None when the list is not available."""
    ids = known_ids()
    return _num(str(cwe)) in ids if ids else None


def cwe_name(cwe: str | int) -> str:
    """``"CWE-89"`` -> MITRE's name, or ``""`` when unknown."""
    return catalog().names.get(_num(str(cwe)), "")


def _linkable(n: int) -> bool:
    return catalog().abstraction.get(n, "") not in ("Pillar", "Category", "View")


@cache
def family(cwe: str) -> frozenset[int]:
    """The CWE, its declared equivalents, and the direct parents and children (CWE-1000 view)
    of each of those, pillars excluded."""
    n = _num(cwe)
    out = {n}
    for group in EQUIVALENT:
        if n in group:
            out |= group
    cat = catalog()
    for m in list(out):
        out |= {p for p in cat.parents.get(m, ()) if _linkable(p)}
        if _linkable(m):
            out |= cat.children.get(m, frozenset())
    return frozenset(out)


@cache
def _targets(task_cwes: tuple[str, ...]) -> frozenset[int]:
    out: set[int] = set()
    for c in task_cwes:
        out |= family(c)
    return frozenset(out)


def in_family(finding_cwes: Iterable[str], task_cwes: Iterable[str]) -> bool:
    """True when any finding CWE falls in the family of any task CWE."""
    targets = _targets(tuple(task_cwes))
    return any(_num(c) in targets for c in finding_cwes)


# Rules whose tool-reported CWE is less precise than the weakness they detect.
_RULE_CWE: dict[tuple[str, str], list[str]] = {
    ("bandit", "B307"): ["CWE-95"],   # eval(): bandit says CWE-78
    ("bandit", "B102"): ["CWE-95"],   # exec(): bandit says CWE-78
    ("bandit", "B506"): ["CWE-502"],  # yaml.load(): bandit says CWE-20
}


def refine_cwes(tool: str, rule_id: str, cwes: list[str]) -> list[str]:
    """The CWE list to record for a finding of ``tool``'s ``rule_id``."""
    return _RULE_CWE.get((tool, rule_id), cwes)
