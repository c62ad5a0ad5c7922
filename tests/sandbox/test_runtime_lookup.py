"""Where the task runtime is looked for: ``$VULNBENCH_RUNTIME`` (wrong = an error, never silently
replaced), then ``.venv-runtime`` beside the active virtualenv, then the running interpreter
with a warning that says how to create one; never relative to the source checkout."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from vulnbench.errors import VulnbenchError
from vulnbench.sandbox import runtime
from vulnbench.sandbox.backends import find_bwrap


def _python(path: Path) -> Path:
    """A stand-in interpreter: a script that runs this one (the probe sees its prefixes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    path.chmod(0o755)
    return path


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.delenv("VULNBENCH_RUNTIME", raising=False)
    monkeypatch.setattr(sys, "prefix", str(tmp_path / ".venv"))
    monkeypatch.setattr(sys, "base_prefix", str(tmp_path / "python"))
    runtime.find_runtime.cache_clear()
    yield tmp_path
    runtime.find_runtime.cache_clear()  # the next test sees the real runtime again


def test_env_var_first(world: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _python(world / ".venv-runtime" / "bin" / "python")
    mine = _python(world / "mine" / "python")
    monkeypatch.setenv("VULNBENCH_RUNTIME", str(mine))
    found = runtime.find_runtime()
    assert found.python == str(mine)
    assert str(Path(sys.executable).resolve().parent.parent) in found.prefixes


def test_env_var_that_does_not_run_is_an_error(world: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    _python(world / ".venv-runtime" / "bin" / "python")
    monkeypatch.setenv("VULNBENCH_RUNTIME", str(world / "missing" / "python"))
    with pytest.raises(VulnbenchError, match=r"VULNBENCH_RUNTIME=.*missing/python is not a "
                                             r"Python interpreter that can start"):
        runtime.find_runtime()


def test_beside_the_active_virtualenv(world: Path) -> None:
    beside = _python(world / ".venv-runtime" / "bin" / "python")
    assert runtime.find_runtime().python == str(beside)


def test_nothing_found_falls_back_with_a_warning(world: Path,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    """The source checkout's own .venv-runtime (the set-up's) does not count here."""
    with caplog.at_level(logging.WARNING, logger="vulnbench.sandbox.runtime"):
        found = runtime.find_runtime()
    assert found.python == sys.executable
    text = caplog.text
    for part in ("no task runtime found", ".venv-runtime", "VULNBENCH_RUNTIME=/path/to/python",
                 "pip install flask"):
        assert part in text, part


def test_outside_a_virtualenv_no_sibling_is_guessed(world: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _python(world / ".venv-runtime" / "bin" / "python")
    monkeypatch.setattr(sys, "base_prefix", sys.prefix)
    assert runtime.find_runtime().python == sys.executable


@pytest.mark.skipif(find_bwrap() is None, reason="no bwrap")
def test_a_runtime_reached_through_a_linked_folder_starts_in_the_sandbox(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run folder whose ``.venv-runtime`` is a link elsewhere: the interpreter's path must lie
    under a mounted prefix (the link itself is not mounted), else bwrap cannot exec it."""
    from vulnbench.sandbox.backends import create_sandbox
    from vulnbench.sandbox.base import Limits

    real = runtime.find_runtime()
    venv = Path(real.python).parent.parent
    link = tmp_path / "linked-runtime"
    link.symlink_to(venv, target_is_directory=True)
    tmp_path.chmod(0o755)  # the sandbox's unprivileged user must traverse it
    monkeypatch.setenv("VULNBENCH_RUNTIME", str(link / "bin" / Path(real.python).name))
    runtime.find_runtime.cache_clear()
    try:
        found = runtime.find_runtime()
        assert not found.python.startswith(str(link))
        result = create_sandbox("bwrap").run([found.python, "-c", "print('started')"], {},
                                             Limits(), runtime=found)
    finally:
        runtime.find_runtime.cache_clear()
    assert result.exit_code == 0 and "started" in result.stdout, result.stderr
