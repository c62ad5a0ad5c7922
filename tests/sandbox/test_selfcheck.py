"""The hostile-program self-check: every case contained by bwrap; the unisolated backend
fails some of them (so the check can fail)."""

from __future__ import annotations

import pytest

from vulnbench.sandbox.backends import BwrapSandbox, SubprocessSandbox, find_bwrap
from vulnbench.sandbox.selfcheck import CASES, run_checks


@pytest.mark.skipif(find_bwrap() is None, reason="no bwrap")
def test_bwrap_contains_every_hostile_case() -> None:
    results = run_checks(BwrapSandbox())
    assert [r.name for r in results] == [name for name, _ in CASES]
    failed = {r.name: r.detail for r in results if not r.contained}
    assert not failed


def test_subprocess_backend_is_not_a_boundary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VULNBENCH_ALLOW_UNSANDBOXED", "1")
    names = {"connect to host 127.0.0.1", "write outside the work dir", "symlink escape",
             "leave state for the next sample"}
    subset = [case for case in CASES if case[0] in names]
    monkeypatch.setattr("vulnbench.sandbox.selfcheck.CASES", subset)
    results = {r.name: r.contained for r in run_checks(SubprocessSandbox())}
    assert results["connect to host 127.0.0.1"] is False
    assert results["write outside the work dir"] is False
    assert results["leave state for the next sample"] is False  # /tmp is the host's
