"""The pipeline end to end on a scripted MOCK model (plumbing), with the real sandbox and
the real bandit: verdicts, metrics, resume, sweeps and outputs."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from vulnbench.models.base import BackendOptions
from vulnbench.pipeline import RunOptions, run
from vulnbench.results import Results, results_schema
from vulnbench.sandbox.backends import find_bwrap

pytestmark = pytest.mark.skipif(find_bwrap() is None, reason="no bwrap")

TASKS = ["demo-cwe089-user-lookup", "demo-cwe022-read-upload", "demo-cwe095-calculator"]


def options(out: Path, script: Path, **kw: object) -> RunOptions:
    base: dict[str, object] = dict(out=out, models=[f"mock:{script}"], temperatures=[0.0],
                                   n=2, ks=[1, 2], task_ids=TASKS, progress=False,
                                   bootstrap_reps=200, backend=BackendOptions(),
                                   analyzers=["bandit"])
    base.update(kw)
    return RunOptions(**base)  # type: ignore[arg-type]


def metric(results: Results, name: str, view: str = "metrics") -> float | None:
    return getattr(results.conditions[0], view)[name].value


def test_verdicts_and_metrics_from_references(tmp_path: Path, mock_script: Path) -> None:
    results = run(options(tmp_path / "r", mock_script), echo=lambda _: None)
    # sample 0 is each task's insecure reference, sample 1 its secure reference
    assert metric(results, "pass@1") == 1.0
    assert metric(results, "vulnerable@1") == pytest.approx(0.5, abs=1e-5)
    assert metric(results, "secure@1") == pytest.approx(0.5, abs=1e-5)
    assert metric(results, "vulnerable@2") == 1.0
    assert metric(results, "secure@2") == 0.0
    assert metric(results, "security_rate") == pytest.approx(0.5, abs=1e-5)
    # the SQL injection and eval references are statically visible to bandit; traversal is not
    cond = results.conditions[0]
    assert cond.static_metrics["vulnerable@1"].value == pytest.approx(1 / 3, abs=1e-5)
    assert cond.test_metrics["vulnerable@1"].value == pytest.approx(0.5, abs=1e-5)
    assert cond.per_cwe.keys() >= {"CWE-89", "CWE-22", "CWE-95"}
    assert cond.compile_rate["repaired"] == 1.0
    assert cond.sample_status == {"ok": 6}

    rows = [json.loads(line) for line in (tmp_path / "r" / "samples.jsonl").open()]
    assert len(rows) == 6
    by_index = {(r["task_id"], r["sample_index"]): r for r in rows}
    sqli = by_index[("demo-cwe089-user-lookup", 0)]["verdict"]
    assert sqli["vulnerable"] is True and sqli["secure"] is False
    assert any(e.startswith("static:bandit:B608") for e in sqli["evidence"])
    assert any(e.startswith("test:security:") for e in sqli["evidence"])
    safe = by_index[("demo-cwe089-user-lookup", 1)]["verdict"]
    assert safe["secure"] is True and safe["functional"] is True


def test_rerun_reuses_everything(tmp_path: Path, mock_script: Path) -> None:
    first = run(options(tmp_path / "r", mock_script), echo=lambda _: None)
    second = run(options(tmp_path / "r", mock_script), echo=lambda _: None)
    assert (first.stats.new_generations, first.stats.reused_generations) == (6, 0)
    assert (second.stats.new_generations, second.stats.reused_generations) == (0, 6)
    assert second.stats.assessed == 0 and second.stats.reused_verdicts == 6
    assert first.conditions[0].metrics == second.conditions[0].metrics


def test_larger_n_generates_only_the_new_samples(tmp_path: Path, mock_script: Path) -> None:
    run(options(tmp_path / "r", mock_script), echo=lambda _: None)
    more = run(options(tmp_path / "r", mock_script, n=3), echo=lambda _: None)
    assert (more.stats.new_generations, more.stats.reused_generations) == (3, 6)


def test_results_json_matches_exported_schema(tmp_path: Path, mock_script: Path) -> None:
    run(options(tmp_path / "r", mock_script, n=1, ks=[1, 5]), echo=lambda _: None)
    doc = json.loads((tmp_path / "r" / "results.json").read_text())
    jsonschema.validate(doc, json.loads(results_schema()))
    assert doc["schema_version"] == "1.1"
    assert doc["conditions"][0]["metrics"]["pass@5"]["value"] is None  # n < k: undefined
    assert doc["stats"]["new_generations"] == 3
    sandbox = doc["run_spec"]["sandbox"]
    assert sandbox.startswith("bwrap: verified:") and "no network to the host" in sandbox
    assert "reset between samples" in sandbox and "NOT ACTIVE" not in sandbox
    assert "NOT ACTIVE" not in sandbox
    report = (tmp_path / "r" / "report.md").read_text()
    assert "## Headline" in report and "CWE-89" in report and "Run spec" in report


def test_temperature_and_model_sweep(tmp_path: Path, mock_script: Path) -> None:
    results = run(options(tmp_path / "r", mock_script, n=1, ks=[1],
                          models=[f"mock:{mock_script}", "mock"],
                          temperatures=[0.0, 0.4, 0.8]), echo=lambda _: None)
    assert len(results.conditions) == 6
    assert results.stats.new_generations == 18
    table = results.temperature_tables[f"mock:{mock_script}"]
    assert [row["temperature"] for row in table] == [0.0, 0.4, 0.8]
    assert all(row["pass@1"] == 0.0 for row in results.temperature_tables["mock"])


def test_dedup_modes_mark_duplicates(tmp_path: Path) -> None:
    script = tmp_path / "same.json"
    body = "    return None\n"
    script.write_text(json.dumps({t: [body] for t in TASKS}))
    kept = run(options(tmp_path / "a", script, n=3), echo=lambda _: None)
    assert kept.conditions[0].duplicates == {"exact": 6}
    assert kept.conditions[0].sample_status == {"ok": 9}
    dropped = run(options(tmp_path / "b", script, n=3, dedup="exact"), echo=lambda _: None)
    assert dropped.conditions[0].sample_status == {"ok": 3, "duplicate": 6}


def test_replay_backend_scores_outputs_from_a_file(tmp_path: Path) -> None:
    from tests.conftest import reference_bodies

    bodies = reference_bodies(TASKS)
    replay = tmp_path / "outputs.jsonl"
    with replay.open("w") as fh:
        for task_id, (insecure, secure) in bodies.items():
            fh.write(json.dumps({"task_id": task_id, "sample_index": 0, "text": secure}) + "\n")
            fh.write(json.dumps({"task_id": task_id, "sample_index": 1, "text": insecure}) + "\n")
    results = run(options(tmp_path / "r", replay, models=[f"replay:{replay}"]),
                  echo=lambda _: None)
    assert metric(results, "pass@1") == 1.0
    assert metric(results, "secure@1") == pytest.approx(0.5, abs=1e-5)
    assert metric(results, "sec@1") == 1.0  # the first sample is functional and secure
