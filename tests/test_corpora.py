"""The labeled corpora under benchmarks/corpora (written independently of the rule pack; see
benchmarks/corpora/README.md) stay well-formed: the detector benchmark reads them as they are."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from vulnbench.records import normalize_cwe

REQUIRED = {"id", "code", "language", "label_vulnerable", "cwe"}
OPTIONAL = {"style", "prompt", "checked", "note"}
CORPORA = sorted((Path(__file__).resolve().parents[1] / "benchmarks" / "corpora").glob("*.jsonl"))


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def test_corpora_exist() -> None:
    assert {p.name for p in CORPORA} >= {"dev.jsonl", "heldout.jsonl", "completions.jsonl",
                                         "dev_completions.jsonl"}


@pytest.mark.parametrize("path", CORPORA, ids=lambda p: p.name)
def test_rows_are_labeled_and_unique(path: Path) -> None:
    rows = _rows(path)
    assert len(rows) >= 100
    assert len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        assert REQUIRED <= set(row) <= REQUIRED | OPTIONAL, row["id"]
        if "style" in row:  # the real-shape corpora: how the answer was produced and checked
            assert row["style"] in ("completion", "chat"), row["id"]
            assert row["checked"] in ("exploit", "reasoned"), row["id"]
            assert str(row["prompt"]).strip() and str(row["note"]).strip(), row["id"]
        assert row["language"] in ("python", "c")
        assert isinstance(row["label_vulnerable"], bool)
        assert isinstance(row["cwe"], list)
        assert not row["label_vulnerable"] or row["cwe"], f"{row['id']}: vulnerable without CWE"
        for cwe in row["cwe"]:
            normalize_cwe(cwe)
    labels = [r["label_vulnerable"] for r in rows]
    assert 0.3 < sum(labels) / len(labels) < 0.7  # both classes well represented


@pytest.mark.parametrize("path", CORPORA, ids=lambda p: p.name)
def test_samples_compile(path: Path) -> None:
    for row in _rows(path):
        if row["language"] == "python":
            ast.parse(str(row["code"]), filename=str(row["id"]))
    gcc = shutil.which("gcc")
    assert gcc is not None, "gcc is not installed (scripts/setup.sh installs it)"
    for row in _rows(path):
        if row["language"] == "c":
            done = subprocess.run([gcc, "-fsyntax-only", "-x", "c", "-"], input=str(row["code"]),
                                  capture_output=True, text=True, check=False)
            assert done.returncode == 0, f"{row['id']}: {done.stderr[:300]}"
