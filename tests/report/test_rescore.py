"""``vulnbench report`` from the store alone (no sandbox, no model, no dataset): a run records
its tasks and what it scored; the report re-scores exactly that, writes its outputs
atomically, never while a run holds the folder, and reports side by side."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vulnbench.cli.main import app
from vulnbench.errors import RunStoreError
from vulnbench.pipeline.rescore import (
    ReadLock,
    ScoredCondition,
    ScoreOptions,
    ScoringRecord,
    load_scoring,
    report,
    save_scoring,
    score,
)
from vulnbench.records import ConditionRecord, GenerationConfig, RunSpec, Sample, Task, Verdict
from vulnbench.report.markdown import render_markdown
from vulnbench.report.reporters import reporters, write_file
from vulnbench.store import RunLock, RunStore

TASKS = [Task(id="b", cwe=["CWE-89"], code_prompt="x", functional_test="t"),
         Task(id="a", kind="utility", code_prompt="y", functional_test="t")]
OPTIONS = ScoreOptions(ks=[1, 2], bootstrap_reps=50, analyzers=["bandit"], tests_run=False)


def _spec() -> RunSpec:
    return RunSpec(vulnbench_version="0", git_revision="x", dataset="d", dataset_hash="h",
                   task_count=2, models=[], temperatures=[0.0], style="code",
                   generation=GenerationConfig(n=2), seed=0, policy="target", dedup="none",
                   analyzers=["bandit"])


def _folder(tmp_path: Path, record: bool = True,
            styles: tuple[str, str] = ("code", "code")) -> tuple[Path, list[ScoredCondition]]:
    out = tmp_path / "run"
    store = RunStore(out / "run.sqlite")
    conditions = []
    for label, style in zip(("m@T0", "m@T0.6"), styles, strict=True):
        keys = []
        for task in TASKS:
            for i in range(2):
                key = f"{label}/{task.id}/{i}"
                keys.append(key)
                store.put_samples([Sample(key=key, condition=label, task_id=task.id,
                                          sample_index=i, raw="", code="", status="ok")])
                store.put_verdict(Verdict(key=key, status="assessed", functional=i == 0,
                                          static_vulnerable=i == 1, vulnerable=i == 1,
                                          secure=i == 0), "fp")
        temperature = float(label[3:])
        conditions.append(ScoredCondition(condition=ConditionRecord(
            label=label, id=label, model="m", spec="m", temperature=temperature,
            style=style), keys=keys))
    # a stale sample of an older setting: the report must not count it
    store.put_samples([Sample(key="old", condition="m@T0", task_id="b", sample_index=0,
                              raw="", code="", status="syntax_error")])
    store.save_spec(_spec())
    if record:
        save_scoring(store, TASKS, ScoringRecord(dataset="d", conditions=conditions,
                                                 options=OPTIONS))
    store.close()
    return out, conditions


def test_record_round_trips_tasks_in_order(tmp_path: Path) -> None:
    out, conditions = _folder(tmp_path)
    store = RunStore(out / "run.sqlite")
    loaded = load_scoring(store)
    assert loaded is not None
    record, tasks = loaded
    assert tasks == TASKS and record.conditions == conditions and record.options == OPTIONS
    store.close()


def test_report_rescores_what_the_run_scored(tmp_path: Path) -> None:
    out, conditions = _folder(tmp_path)
    results = report(out, echo=lambda _: None)
    assert results is not None
    store = RunStore(out / "run.sqlite")
    expected, blind = score(store, conditions, TASKS, OPTIONS)
    store.close()
    written = json.loads((out / "results.json").read_text())
    assert written["conditions"] == [json.loads(c.model_dump_json()) for c in expected]
    assert [b["task"] for b in written["blind_tasks"]] == [b.task for b in blind]
    assert [r["temperature"] for r in written["temperature_tables"]["m"]] == [0.0, 0.6]
    assert results.conditions[0].samples == 4  # the stale sample is not counted
    assert written["stats"]["new_generations"] == 0 and written["stats"]["assessed"] == 0
    assert written["stats"]["reused_generations"] == 8
    rows = (out / "samples.jsonl").read_text().splitlines()
    assert len(rows) == 8 and "old" not in {json.loads(r)["key"] for r in rows}
    assert (out / "report.md").read_text().startswith("# vulnbench report")
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []  # no temp


def test_temperature_tables_by_strategy_when_a_run_has_several(tmp_path: Path) -> None:
    out, _ = _folder(tmp_path, styles=("code", "cwe-aware"))
    results = report(out, echo=lambda _: None)
    assert results is not None
    assert sorted(results.temperature_tables) == ["m/code", "m/cwe-aware"]


def test_old_store_without_a_record_says_so(tmp_path: Path) -> None:
    out, _ = _folder(tmp_path, record=False)
    assert report(out, echo=lambda _: None) is None
    assert not (out / "results.json").exists()


def test_report_refuses_while_a_run_holds_the_folder(tmp_path: Path) -> None:
    out, _ = _folder(tmp_path)
    with RunLock(out) as lock:
        lock.acquire()
        with pytest.raises(RunStoreError, match=r"in use by pid \d+ .*report reads a finished"):
            report(out, echo=lambda _: None)
    with ReadLock(out), ReadLock(out):  # reports read side by side
        pass
    assert report(out, echo=lambda _: None) is not None


def test_outputs_replace_atomically(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_text("old")

    def fail(fh: object) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_file(path, fail)
    assert path.read_text() == "old" and list(tmp_path.iterdir()) == [path]
    assert {"json", "markdown", "samples"} <= set(reporters.names())


def test_utility_only_condition_says_why_it_has_no_cwe_rows(tmp_path: Path) -> None:
    out, _ = _folder(tmp_path)
    results = report(out, echo=lambda _: None)
    assert results is not None
    results.conditions[0].per_cwe = {}  # as for a HumanEval run: no task names a CWE
    text = render_markdown(results)
    section = text.split("## Per CWE: m@T0\n", 1)[1].split("##", 1)[0]
    assert "No task of this condition names a CWE" in section and "| CWE |" not in section


def test_list_shows_the_registries() -> None:
    runner = CliRunner()
    for kind, names in (("reporters", {"json", "markdown", "samples"}),
                        ("scorers", {"estimators", "per_cwe", "verdict_sources"}),
                        ("task-kinds", {"generate", "utility"})):
        result = runner.invoke(app, ["list", kind])
        assert result.exit_code == 0 and set(result.stdout.split()) >= names


def test_samples_stream_with_their_verdicts_in_order(tmp_path: Path) -> None:
    """One joined query gives a condition's samples in (task, index) order, each with its
    verdict or None; other conditions' samples stay out."""
    store = RunStore(tmp_path / "run.sqlite")
    try:
        store.put_samples([Sample(key=f"{c}-{t}-{i}", condition=c, task_id=t, sample_index=i,
                                  raw="", code="", status="ok")
                           for c in ("a", "b") for t in ("t2", "t1") for i in (1, 0)])
        store.put_verdict(Verdict(key="a-t1-1", status="assessed", vulnerable=True), "fp")
        got = [(s.key, v.vulnerable if v else None)
               for s, v in store.iter_samples_with_verdicts("a")]
    finally:
        store.close()
    assert got == [("a-t1-0", None), ("a-t1-1", True), ("a-t2-0", None), ("a-t2-1", None)]
