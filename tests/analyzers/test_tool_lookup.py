"""Where semgrep is looked for: ``$VULNBENCH_SEMGREP``, then PATH, then ``.venv-semgrep`` beside
the active virtualenv, never the source checkout (an installed wheel has none); when nothing
is found, the message names every place looked and how to install it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from vulnbench.analyzers import _tools, create_analyzer


def _exe(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\necho semgrep 0.0-fake\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty PATH, no $VULNBENCH_SEMGREP and a virtualenv at tmp/.venv: nothing found yet."""
    (tmp_path / "bin").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.delenv("VULNBENCH_SEMGREP", raising=False)
    monkeypatch.setattr(sys, "prefix", str(tmp_path / ".venv"))
    monkeypatch.setattr(sys, "base_prefix", str(tmp_path / "python"))
    return tmp_path


def test_env_var_first(world: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _exe(world / "bin" / "semgrep")
    _exe(world / ".venv-semgrep" / "bin" / "semgrep")
    mine = _exe(world / "elsewhere" / "semgrep")
    monkeypatch.setenv("VULNBENCH_SEMGREP", str(mine))
    assert _tools.find_semgrep() == str(mine)


def test_env_var_that_is_wrong_is_not_replaced(world: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    _exe(world / "bin" / "semgrep")
    (world / "not-exe").write_text("")
    monkeypatch.setenv("VULNBENCH_SEMGREP", str(world / "not-exe"))
    assert _tools.find_semgrep() is None
    hint = _tools.semgrep_hint()
    assert hint.startswith("semgrep is not found: ")
    assert f"VULNBENCH_SEMGREP={world / 'not-exe'} is not an executable file" in hint


def test_path_before_the_virtualenv_sibling(world: Path) -> None:
    on_path = _exe(world / "bin" / "semgrep")
    _exe(world / ".venv-semgrep" / "bin" / "semgrep")
    assert _tools.find_semgrep() == str(on_path)


def test_beside_the_active_virtualenv(world: Path) -> None:
    beside = _exe(world / ".venv-semgrep" / "bin" / "semgrep")
    assert _tools.find_semgrep() == str(beside)


def test_outside_a_virtualenv_no_sibling_is_guessed(world: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _exe(world / ".venv-semgrep" / "bin" / "semgrep")
    monkeypatch.setattr(sys, "base_prefix", sys.prefix)
    assert _tools.find_semgrep() is None
    assert "none active" in _tools.semgrep_hint()


def test_never_the_source_checkout(world: Path) -> None:
    """A semgrep beside this checkout (the set-up's) does not count for another virtualenv."""
    assert _tools.find_semgrep() is None


def test_nothing_found_names_every_place_and_how_to_install(world: Path) -> None:
    assert _tools.find_semgrep() is None
    hint = _tools.semgrep_hint()
    for part in ("$VULNBENCH_SEMGREP (unset)", "on PATH",
                 f"{world / '.venv-semgrep' / 'bin' / 'semgrep'}",
                 "pip install semgrep", "VULNBENCH_SEMGREP=/path/to/semgrep"):
        assert part in hint, part
    analyzer = create_analyzer("semgrep")
    assert analyzer.unavailable() == hint
