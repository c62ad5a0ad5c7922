"""The join regression corpus: shapes of real model outputs (body-only chat answers, restated
prompts, several fenced blocks, completion-model continuations, C) with the processed code
each must become (``data/join_corpus.jsonl``, written by ``data/make_join_corpus.py``)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from vulnbench.postprocess import repair
from vulnbench.postprocess.shapes import compiles
from vulnbench.postprocess.syntax import check_syntax

DATA = Path(__file__).parent / "data"
CORPUS = [json.loads(line) for line in
          (DATA / "join_corpus.jsonl").read_text(encoding="utf-8").splitlines() if line]


def test_corpus_size_ids_and_fields() -> None:
    assert len(CORPUS) >= 40
    assert len({c["id"] for c in CORPUS}) == len(CORPUS)
    assert {c["language"] for c in CORPUS} == {"python", "c"}
    for case in CORPUS:
        assert {"id", "shape", "language", "prompt", "raw", "expected"} <= case.keys()


def test_corpus_file_matches_its_builder() -> None:
    sys.path.insert(0, str(DATA))
    try:
        import make_join_corpus
    finally:
        sys.path.remove(str(DATA))
    assert make_join_corpus.CASES == CORPUS, "rerun tests/postprocess/data/make_join_corpus.py"


@pytest.mark.parametrize("case", CORPUS, ids=[c["id"] for c in CORPUS])
def test_case_is_processed_as_expected(case: dict[str, Any]) -> None:
    result = repair(case["raw"], case["prompt"], language=case["language"],
                    entry_point=case.get("entry_point"))
    assert result.code == case["expected"], case["shape"]
    assert bool(result.dropped) is case.get("dropped", False), result.dropped
    assert result.extracted


@pytest.mark.parametrize("case", CORPUS, ids=[c["id"] for c in CORPUS])
def test_expected_code_compiles(case: dict[str, Any]) -> None:
    if case["language"] == "python":
        assert compiles(case["expected"])
    else:
        assert shutil.which("gcc"), "the set-up installs gcc (C syntax checks need it)"
        assert check_syntax(case["expected"], "c") is None


def test_the_corpus_fails_sallms_literal_join() -> None:
    """The corpus is not trivially passed: SALLM's literal rules get most of it wrong."""

    def literal(case: dict[str, Any]) -> str:
        raw, prompt = case["raw"], case["prompt"]
        if "```" in raw:
            raw = raw.split("```", 2)[1].split("\n", 1)[-1]
        return raw if prompt.strip() in raw else prompt + raw

    wrong = [c["id"] for c in CORPUS if literal(c) != c["expected"]]
    assert len(wrong) > len(CORPUS) // 2
