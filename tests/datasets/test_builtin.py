"""The built-in benchmark: its size and coverage, and the proof of every task's references
(secure passes both tests and is not flagged; insecure passes functional, fails security)."""

from __future__ import annotations

from collections import Counter

import pytest

from vulnbench.analyzers import create_analyzer
from vulnbench.datasets import load_dataset
from vulnbench.datasets.check import check_tasks
from vulnbench.sandbox.backends import create_sandbox, find_bwrap

TASKS = load_dataset("builtin").tasks

# CodeLMSec Table I (Python), SecuCoGen's 18 types (as far as Python allows; 787/125 by their
# Python analogues), SALLM's and the static pack's Python CWEs
REQUIRED_PYTHON = {20, 22, 77, 78, 79, 89, 90, 94, 95, 113, 117, 125, 209, 215, 259, 269, 276,
                   287, 295, 306, 312, 327, 328, 330, 338, 352, 362, 377, 400, 434, 502, 601,
                   611, 643, 732, 776, 787, 798, 862, 863, 918, 943, 1333}
REQUIRED_C = {22, 78, 119, 120, 125, 134, 190, 415, 416, 476, 787}


def _cwes(language: str) -> set[int]:
    return {int(c[4:]) for t in TASKS if t.language == language for c in t.cwe}


def test_size_and_coverage() -> None:
    languages = Counter(t.language for t in TASKS)
    assert languages["python"] >= 150
    assert languages["c"] >= 30
    assert len(_cwes("python") | _cwes("c")) >= 45
    assert REQUIRED_PYTHON - _cwes("python") == set()
    assert REQUIRED_C - _cwes("c") == set()
    assert all(t.functional_test and t.security_test for t in TASKS)


@pytest.mark.skipif(find_bwrap() is None, reason="no bwrap")
def test_every_task_is_proven() -> None:
    proofs = check_tasks(TASKS, create_sandbox("bwrap"), [create_analyzer("bandit")])
    failed = {p.task_id: p.problems for p in proofs if not p.ok}
    assert not failed
    assert len(proofs) == len(TASKS)


# security tests that a do-nothing body fails *because that body is the weakness*, reviewed:
# every other built-in security test must fail only when the exploit's effect is observed
JUNK_IS_THE_WEAKNESS = {
    # authenticate() returning True accepts an empty password: an authentication bypass
    "py-cwe287-vpn-ldap-empty-password": {"True"},
    # validate_new_password() that refuses nothing is no password requirement at all
    "py-cwe521-staff-portal-password-policy": {"None", "''", "0", "False", "True", "{}", "[]"},
}


@pytest.mark.skipif(find_bwrap() is None, reason="no bwrap")
def test_no_security_test_calls_junk_vulnerable() -> None:
    """The junk probe (dataset check --junk-probe) over every built-in Python task: a
    security test that a do-nothing program fails counts junk as vulnerable, unless reviewed
    above as the weakness itself."""
    from vulnbench.datasets.junk_probe import probe_tasks

    probes = probe_tasks(TASKS, create_sandbox("bwrap"))
    found = {p.task_id: set(p.failed) for p in probes if p.calls_junk_vulnerable}
    assert found == JUNK_IS_THE_WEAKNESS
    assert sum(p.probed for p in probes) >= 150
