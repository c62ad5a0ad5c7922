"""The report tests' shared run: one real small MOCK run (plumbing model; real sandbox and
bandit) that the page tests and the browser tests read. Tests that change it work on a copy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import reference_bodies
from vulnbench.models.base import BackendOptions
from vulnbench.pipeline import RunOptions, run

TASKS = ["demo-cwe089-user-lookup", "demo-cwe022-read-upload", "demo-cwe095-calculator"]
XSS = "<script>alert(1)</script>"


@pytest.fixture(scope="session")
def mock_report_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sample 0 of each task its insecure reference, sample 1 its secure one, at two
    temperatures (12 samples); the SQL task's outputs end with a script tag in a comment."""
    tmp = tmp_path_factory.mktemp("html")
    bodies = reference_bodies(TASKS)
    bodies[TASKS[0]] = [b + f"\n# {XSS}\n" for b in bodies[TASKS[0]]]
    script = tmp / "mock_script.json"
    script.write_text(json.dumps(bodies))
    out = tmp / "r"
    run(RunOptions(out=out, models=[f"mock:{script}"], temperatures=[0.0, 0.6], n=2,
                   ks=[1, 2], task_ids=TASKS, progress=False, bootstrap_reps=200,
                   backend=BackendOptions(), analyzers=["bandit"]),
        echo=lambda _: None)
    return out
