"""The wheel ships the semgrep rules but not their deliberately vulnerable fixtures: every rule
folder holding ``*.bad.*``/``*.good.*`` programs must be excluded from package discovery (else
setuptools takes the folder for a namespace package and ships the ``.py`` fixtures as modules),
and its ``.yaml`` rules must be listed as package data."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
RULES = SRC / "vulnbench" / "analyzers" / "rules"
SETUPTOOLS = tomllib.loads((SRC.parent / "pyproject.toml").read_text())["tool"]["setuptools"]


def _fixture_folders() -> list[Path]:
    return sorted({p.parent for p in RULES.rglob("*") if ".bad." in p.name or ".good." in p.name})


def test_fixture_folders_are_not_packages() -> None:
    folders = _fixture_folders()
    assert len(folders) >= 2  # python and c
    excluded = SETUPTOOLS["packages"]["find"].get("exclude", [])
    for folder in folders:
        dotted = ".".join(folder.relative_to(SRC).parts)
        assert any(fnmatch.fnmatch(dotted, pat) for pat in excluded), dotted
        assert not (folder / "__init__.py").exists(), folder


def test_rules_are_package_data_and_fixtures_are_not() -> None:
    data = SETUPTOOLS["package-data"]["vulnbench"]
    dropped = SETUPTOOLS["exclude-package-data"]["*"]
    pkg = SRC / "vulnbench"
    for folder in _fixture_folders():
        for path in folder.iterdir():
            rel = str(path.relative_to(pkg))
            shipped = any(fnmatch.fnmatch(rel, pat) for pat in data) and not any(
                fnmatch.fnmatch(path.name, pat) for pat in dropped)
            assert shipped == (path.suffix == ".yaml"), rel
