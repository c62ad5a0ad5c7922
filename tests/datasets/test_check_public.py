"""``vulnbench dataset check`` on public sources: per task, whether its references hold their
polarity here, and why not (our environment, upstream, no test)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from vulnbench.datasets.check import classify_run, summarize
from vulnbench.records import AssessmentStatus, TestStatus
from vulnbench.records import TestOutcome as Outcome
from vulnbench.sandbox.backends import find_bwrap
from vulnbench.sandbox.tests_runner import TestRun as Run

sys.path.insert(0, str(Path(__file__).parent / "public"))
from sallm_layout import (
    ASSERTION_502,
    BROKEN_020,
    MATCHING_502,
    MISSING_LIB_020,
    SQLI_089,
    UNTESTED_078,
    make_layout,
)


def run(functional: tuple[TestStatus, str], security: tuple[TestStatus, str],
        status: AssessmentStatus = "assessed") -> Run:
    return Run(status, [Outcome(suite="functional", name="test_f", status=functional[0],
                                        detail=functional[1]),
                            Outcome(suite="security", name="test_s", status=security[0],
                                        detail=security[1])])


def whats(ref: str, r: Run) -> list[tuple[str, str]]:
    return [(w.cause, w.what) for w in classify_run(ref, r)]


OK = ("passed", "")
EXPLOITED = ("failed", "AssertionError: True is not false")


@pytest.mark.parametrize(("ref", "result", "expected"), [
    ("insecure", run(OK, EXPLOITED), []),
    ("secure", run(OK, OK), []),
    ("insecure", run(OK, OK), [("upstream", "security test passes on the insecure reference "
                                            "(does not detect the flaw)")]),
    ("secure", run(OK, EXPLOITED), [("upstream", "security test fails on the secure reference")]),
    ("insecure", run(("failed", "AssertionError: 1 != 2"), EXPLOITED),
     [("upstream", "functional test fails on the insecure reference")]),
    ("insecure", run(("error", "ModuleNotFoundError: No module named 'flask_sqlalchemy'"),
                     ("error", "ModuleNotFoundError: No module named 'flask_sqlalchemy'")),
     [("environment", "missing module 'flask_sqlalchemy'")]),
    ("insecure", run(("error", "ImportError: cannot import name 'load_data' from 'solution' "
                               "(/tmp/w/solution.py)"), EXPLOITED),
     [("upstream", "the test imports 'load_data', which the reference does not define")]),
    ("insecure", run(("error", "FileNotFoundError: [Errno 2] No such file or directory: "
                               "'./static/dummy.png'"), EXPLOITED),
     [("environment", "missing file")]),
    ("secure", run(("error", "CompileError: x.c:1:10: fatal error: jwt.h: No such file or "
                             "directory"), OK), [("environment", "missing C header jwt.h")]),
    ("secure", run(("error", "CompileError: /usr/bin/ld: cannot find -larchive"), OK),
     [("environment", "missing C library archive")]),
    ("insecure", run(("error", "requests.exceptions.ConnectionError: Failed to establish a new "
                               "connection: [Errno -3] Temporary failure in name resolution"),
                     EXPLOITED), [("environment", "no network in the sandbox")]),
    ("insecure", run(("error", "TypeError: f() takes 1 positional argument"), EXPLOITED),
     [("upstream", "functional test raises TypeError")]),
    ("insecure", run(("timeout", "test exceeded its time limit"), EXPLOITED),
     [("environment", "test timed out here")]),
    ("insecure", Run("runtime_error", detail="uv: no version of lxml==4.6.3 installs"),
     [("environment", "task environment could not be built or started")]),
    ("insecure", Run("sandbox_error", detail="bwrap: setting up uid map"),
     [("environment", "sandbox error")]),
    ("insecure", Run("not_assessed"), [("no_test", "no test")]),
    ("insecure", Run("assessed", [Outcome(suite="functional", name="t",
                                                  status="passed")]),
     [("no_test", "no security test")]),
])
def test_classify(ref: str, result: Run, expected: list[tuple[str, str]]) -> None:
    assert whats(ref, result) == expected


needs_bwrap = pytest.mark.skipif(find_bwrap() is None, reason="no bwrap")
TASKS = [ASSERTION_502, MATCHING_502, BROKEN_020, MISSING_LIB_020, UNTESTED_078]


def check(spec: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vulnbench.cli.main", "dataset", "check",
                           spec, "--analyzer", "bandit", *args], capture_output=True,
                          text=True, check=False, timeout=600, env=None)


@needs_bwrap
def test_public_check_per_task_outcomes_json_and_exit(tmp_path: Path) -> None:
    spec = f"sallm:{make_layout(tmp_path, TASKS)}"
    proc = check(spec, "--json")
    data = json.loads(proc.stdout)
    outcomes = {t["task"]: t["outcome"] for t in data["tasks"]}
    assert outcomes == {ASSERTION_502.id: "holds", MATCHING_502.id: "holds",
                        BROKEN_020.id: "upstream", MISSING_LIB_020.id: "environment",
                        UNTESTED_078.id: "no_test"}
    assert data["public"] is True
    assert data["outcomes"] == {"holds": 2, "environment": 1, "upstream": 1, "no_test": 1,
                                "no_reference": 0}
    why = {t["task"]: t["why"] for t in data["tasks"]}
    assert why[MISSING_LIB_020.id][0]["what"] == "missing module 'sallm_missing_library'"
    assert why[BROKEN_020.id][0] == {
        "cause": "upstream", "reference": "insecure",
        "what": "functional test fails on the insecure reference",
        "detail": "functional test_TestA_cwe020_0_test_correctness: AssertionError: True is "
                  "not false"}
    assert {"cause": "environment", "what": "missing module 'sallm_missing_library'",
            "tasks": 1} in data["reasons"]
    by_task = {t["task"]: t for t in data["tasks"]}
    assert by_task[ASSERTION_502.id]["static"]["insecure"]  # bandit flags pickle.loads
    assert any("without a test" in n for n in data["notes"])
    # an environment failure fails the check, naming the task
    assert proc.returncode == 1 and MISSING_LIB_020.id in proc.stderr


@needs_bwrap
def test_public_check_upstream_breakage_does_not_fail_it(tmp_path: Path) -> None:
    spec = f"sallm:{make_layout(tmp_path, TASKS)}"
    proc = check(spec, "--task", ASSERTION_502.id, "--task", BROKEN_020.id,
                 "--task", UNTESTED_078.id)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = " ".join(re.sub(r"[│┃┏┓┗┛┡┩└┘┳┻╇━─]", " ", proc.stdout).split())
    assert "why references do not hold, by cause" in out
    assert "upstream functional test fails on the insecure reference 1" in out
    assert f"{BROKEN_020.id} insecure: functional failed, security failed upstream" in out
    assert "1 holds, 0 environment, 1 upstream, 1 no test, 0 no reference" in out


@needs_bwrap
def test_public_check_with_task_environment(tmp_path: Path) -> None:
    """The SALLM-shaped task pinning Flask-SQLAlchemy and pycryptodome holds in its own
    environment."""
    proc = check(f"sallm:{make_layout(tmp_path, [SQLI_089])}", "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout)["tasks"][0]["outcome"] == "holds"


def test_unknown_task_is_named(tmp_path: Path) -> None:
    proc = check(f"sallm:{make_layout(tmp_path, [UNTESTED_078])}", "--task", "nope")
    assert proc.returncode != 0 and "has no task(s) nope" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_summary_groups_reasons_by_task() -> None:
    from vulnbench.datasets.check import PolarityProof, Why

    proofs = [PolarityProof("a", {"insecure": "x"}, [Why("environment", "insecure", "m"),
                                                     Why("environment", "insecure", "m")]),
              PolarityProof("b", {"insecure": "x"}, [Why("environment", "insecure", "m")]),
              PolarityProof("c", {"insecure": "x"}), PolarityProof("d")]
    summary = summarize(proofs)
    assert summary["outcomes"]["environment"] == 2 and summary["outcomes"]["holds"] == 1
    assert summary["outcomes"]["no_reference"] == 1
    assert summary["reasons"] == [{"cause": "environment", "what": "m", "tasks": 2}]
