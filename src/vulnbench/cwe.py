"""CWE family matching for the ``target`` policy: a finding counts for a task when its CWE is
the task's CWE or a declared equivalent. (Parent/child matching through the MITRE catalog
plugs in here.)"""

from __future__ import annotations

from collections.abc import Iterable

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


def family(cwe: str) -> frozenset[int]:
    n = _num(cwe)
    out = {n}
    for group in EQUIVALENT:
        if n in group:
            out |= group
    return frozenset(out)


def in_family(finding_cwes: Iterable[str], task_cwes: Iterable[str]) -> bool:
    """True when any finding CWE falls in the family of any task CWE."""
    targets: set[int] = set()
    for c in task_cwes:
        targets |= family(c)
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
