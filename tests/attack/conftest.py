"""Fixtures shared by the attack tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def calls_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The file the scripted fake model (``mock``) appends one line to per call."""
    path = tmp_path / "calls.txt"
    path.touch()
    monkeypatch.setenv("VULNBENCH_MOCK_CALLS", str(path))
    return path
