"""CodeBLEU and CodeBLEU@k on small hand-checked snippets (the real codebleu package, no model)."""

from __future__ import annotations

import logging
import math
import sys

import pytest

from vulnbench.errors import MissingDependencyError, UnknownNameError
from vulnbench.metrics import codebleu as cb

REFERENCE = """\
def read_user(conn, user_id):
    cursor = conn.cursor()
    cursor.execute("SELECT name FROM users WHERE id = ?", (user_id,))
    row = cursor.fetchone()
    return row
"""
# the same function with the injectable query: most tokens, the tree shape and the flows agree
GOOD = REFERENCE.replace('"SELECT name FROM users WHERE id = ?", (user_id,)', 'f"SELECT {user_id}"')
# a different function sharing some tokens
BAD = """\
def read_user(conn, user_id):
    return None
"""

C_REFERENCE = """\
int copy_name(char *dst, const char *src, size_t size) {
    size_t n = strlen(src);
    if (n >= size) {
        return -1;
    }
    memcpy(dst, src, n + 1);
    return 0;
}
"""


def test_dev_venv_can_score() -> None:
    assert cb.available() == ""


def test_identical_python_scores_one() -> None:
    assert cb.codebleu(REFERENCE, REFERENCE, "python") == pytest.approx(1.0)


def test_identical_c_scores_one() -> None:
    assert cb.codebleu(C_REFERENCE, C_REFERENCE, "c") == pytest.approx(1.0)


def test_c_partial_match_is_strictly_between() -> None:
    worse = C_REFERENCE.replace("    if (n >= size) {\n        return -1;\n    }\n", "")
    assert 0.0 < cb.codebleu(worse, C_REFERENCE, "c") < 1.0


@pytest.mark.parametrize("blank", ["", "  \n\t"])
def test_empty_candidate_scores_zero(blank: str) -> None:
    # codebleu itself would give 0.25 here (see the next test)
    assert cb.codebleu(blank, REFERENCE, "python") == 0.0


def test_unrelated_candidate_gets_the_dataflow_quarter() -> None:
    # Hand-checked: "print(1)" shares no token with REFERENCE (BLEU 0, weighted BLEU 0), no
    # reference subtree (syntax 0) and no data flow (match 0, which codebleu 0.7 counts as 1):
    # 0.25 * (0 + 0 + 0 + 1) = 0.25. Pins the package quirk the module documents.
    assert cb.codebleu("print(1)\n", REFERENCE, "python") == pytest.approx(0.25)


def test_at_k_takes_the_running_max_in_sample_order() -> None:
    bad = cb.codebleu(BAD, REFERENCE, "python")
    good = cb.codebleu(GOOD, REFERENCE, "python")
    assert good > bad > 0.0
    got = cb.codebleu_at_k([BAD, GOOD, None], REFERENCE, "python", ks=[1, 2, 3])
    assert got == {1: bad, 2: good, 3: good}


def test_at_k_order_matters() -> None:
    good = cb.codebleu(GOOD, REFERENCE, "python")
    got = cb.codebleu_at_k([GOOD, BAD], REFERENCE, "python", ks=[1])
    assert got == {1: good}


def test_at_k_beyond_the_samples_uses_all_of_them() -> None:
    bad = cb.codebleu(BAD, REFERENCE, "python")
    assert cb.codebleu_at_k([BAD], REFERENCE, "python", ks=[1, 5]) == {1: bad, 5: bad}


def test_only_none_scores_zero() -> None:
    assert cb.codebleu_at_k([None, None], REFERENCE, "python", ks=[1, 2]) == {1: 0.0, 2: 0.0}


def test_no_candidates_is_nan() -> None:
    got = cb.codebleu_at_k([], REFERENCE, "python", ks=[1, 10])
    assert sorted(got) == [1, 10]
    assert all(math.isnan(v) for v in got.values())


@pytest.mark.parametrize("k", [0, -1])
def test_k_below_one_is_rejected(k: int) -> None:
    with pytest.raises(ValueError, match="k must be >= 1"):
        cb.codebleu_at_k([GOOD], REFERENCE, "python", ks=[k])


def test_unknown_language_names_the_choices() -> None:
    with pytest.raises(UnknownNameError, match="choose one of: c, python"):
        cb.codebleu(GOOD, REFERENCE, "cobol")


def test_codebleu_logging_is_silenced_and_root_left_alone(
    caplog: pytest.LogCaptureFixture,
) -> None:
    handlers = list(logging.getLogger().handlers)
    caplog.set_level(logging.DEBUG)
    # a reference with no data flow makes codebleu log its "no reference data-flows" warning;
    # a fresh pair so the cache cannot hide the call
    cb.codebleu("x = 2\n", "pass\n", "python")
    assert not [r for r in caplog.records if "data-flow" in r.getMessage()]
    assert logging.getLogger().handlers == handlers
    assert logging.getLogger().filters == []


def test_missing_package_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    # a fake: hide codebleu from the import system
    monkeypatch.setitem(sys.modules, "codebleu", None)
    monkeypatch.setitem(sys.modules, "codebleu.utils", None)
    cb._load.cache_clear()
    try:
        with pytest.raises(MissingDependencyError, match=r"vulnbench\[repair\]"):
            cb.codebleu(GOOD, REFERENCE, "python")
        assert cb.available().startswith("install vulnbench[repair]: ")
    finally:
        cb._load.cache_clear()


SEED_SCRIPT = """
import json
from vulnbench.datasets import load_dataset
from vulnbench.metrics.codebleu import codebleu
tasks = [t for t in load_dataset("builtin").tasks if t.language == "python"][:40]
print(json.dumps([codebleu(t.insecure_reference, t.secure_reference, "python") for t in tasks]))
"""


def test_scores_do_not_depend_on_the_hash_seed() -> None:
    """The package's data-flow match orders variables through a set: without vulnbench's
    sorting, two of these 40 pairs scored differently under seeds 1 and 2."""
    import json
    import os
    import subprocess

    scores = []
    for seed in ("1", "2", "3"):
        proc = subprocess.run([sys.executable, "-c", SEED_SCRIPT], capture_output=True,
                              text=True, timeout=300,
                              env={**os.environ, "PYTHONHASHSEED": seed})
        assert proc.returncode == 0, proc.stderr[-2000:]
        scores.append(json.loads(proc.stdout))
    assert len(scores[0]) == 40 and scores[0] == scores[1] == scores[2]
