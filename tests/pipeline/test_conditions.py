"""Conditions as (model, temperature, prompt strategy): several styles make conditions like
temperatures do, every table lists them, prompts and their provenance are stored, and work
keys do not depend on where a model is served (old stores keep their work). Scripted MOCK
model: plumbing only, no sandbox."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vulnbench.conditions import Condition, labelled
from vulnbench.models.base import BackendOptions
from vulnbench.pipeline import RunOptions, run
from vulnbench.pipeline.conditions import expand_conditions
from vulnbench.prompts import PromptContext, styles
from vulnbench.records import Prompt, Task, stable_hash
from vulnbench.results import Results
from vulnbench.store import RunStore

TASKS = ["demo-cwe089-user-lookup", "demo-cwe022-read-upload"]


def options(out: Path, **kw: Any) -> RunOptions:
    base: dict[str, Any] = dict(out=out, models=["mock"], temperatures=[0.2], n=2, ks=[1],
                                task_ids=TASKS, progress=False, bootstrap_reps=20,
                                run_tests=False, analyzers=[], backend=BackendOptions())
    base.update(kw)
    return RunOptions(**base)


def quiet(opts: RunOptions) -> Results:
    return run(opts, echo=lambda _: None)


@pytest.fixture
def calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A file the mock model appends one line to per call."""
    path = tmp_path / "calls.txt"
    path.touch()
    monkeypatch.setenv("VULNBENCH_MOCK_CALLS", str(path))
    return path


def test_two_styles_by_two_temperatures_give_four_conditions_in_every_table(
        tmp_path: Path) -> None:
    out = tmp_path / "r"
    results = quiet(options(out, style="code,cwe-aware", temperatures=[0.2, 0.6]))
    want = ["mock@T0.2/code", "mock@T0.2/cwe-aware", "mock@T0.6/code", "mock@T0.6/cwe-aware"]
    assert [c.condition for c in results.conditions] == want
    assert [(c.label, c.style, c.temperature) for c in results.run_spec.conditions] == [
        (label, label.split("/")[1], float(label.split("@T")[1].split("/")[0]))
        for label in want]
    assert {c.id for c in results.run_spec.conditions}.__len__() == 4
    assert results.stats.new_generations == 4 * len(TASKS) * 2
    doc = json.loads((out / "results.json").read_text())
    assert [c["condition"] for c in doc["conditions"]] == want
    assert {k: [r["temperature"] for r in rows] for k, rows in
            doc["temperature_tables"].items()} == {"mock/code": [0.2, 0.6],
                                                   "mock/cwe-aware": [0.2, 0.6]}
    report = (out / "report.md").read_text()
    for label in want:
        assert f"| {label} |" in report and f"## Per CWE: {label}" in report
    rows = [json.loads(line) for line in (out / "samples.jsonl").open()]
    assert sorted({r["condition"] for r in rows}) == want and len(rows) == 16
    with sqlite3.connect(out / "run.sqlite") as db:
        stored = {c for (c,) in db.execute("SELECT DISTINCT condition FROM samples")}
        assert stored == set(want)
    # a resume makes no call and lists the same four
    again = quiet(options(out, style="code,cwe-aware", temperatures=[0.2, 0.6]))
    assert (again.stats.new_generations, [c.condition for c in again.conditions]) == (0, want)


def test_one_style_keeps_todays_labels() -> None:
    conds, _ = expand_conditions(["mock"], [0.2, 0.6])
    assert [c.label for c in conds] == ["mock@T0.2", "mock@T0.6"]
    several, _ = expand_conditions(["mock"], [0.2], ["code", "text"])
    assert [c.label for c in several] == ["mock@T0.2/code", "mock@T0.2/text"]
    # a condition is what it is, whatever its label reads
    assert {c.ident for c in labelled(several)} == {c.ident for c in several}
    assert Condition("mock", "mock", 0.2).id == several[0].id


def test_a_style_named_twice_is_refused(tmp_path: Path) -> None:
    from vulnbench.pipeline.options import OptionError

    with pytest.raises(OptionError, match="--style"):
        options(tmp_path / "r", style="code,code")


def test_prompts_and_their_provenance_are_stored(tmp_path: Path) -> None:
    out = tmp_path / "r"
    quiet(options(out, style="one-shot,code"))
    store = RunStore(out / "run.sqlite")
    try:
        gens = store.db.execute("SELECT data FROM generations").fetchall()
        assert len(gens) == 2 * len(TASKS) * 2
        for (data,) in gens:
            gen = json.loads(data)
            prompt = store.get_prompt(gen["prompt_hash"])
            assert prompt is not None and prompt.hash == gen["prompt_hash"]
            assert prompt.task_id == gen["task_id"]
            if prompt.style == "one-shot":
                (example,) = prompt.meta["examples"]
                assert example != prompt.task_id and example.startswith("demo-")
            else:
                assert prompt.style == "code" and prompt.meta == {}
        strategies = {s for (s,) in store.db.execute("SELECT strategy FROM prompts")}
        assert strategies == {"one-shot", "code"}
    finally:
        store.close()


@pytest.fixture
def two_prompt_style() -> Iterator[str]:
    """A strategy that makes two prompts per task (as inversion strategies will)."""
    name = "test-two-prompts"

    def two(task: Task, ctx: PromptContext) -> list[Prompt]:
        return [Prompt(task_id=task.id, style=name, kind="completion", text=task.code_prompt,
                       prefix=task.code_prompt, meta={"variant": str(i)}) for i in (0, 1)]

    styles.register(name)(two)
    yield name
    styles._entries.pop(name)


def test_a_strategy_with_several_prompts_samples_each(tmp_path: Path, two_prompt_style: str,
                                                      calls: Path) -> None:
    out = tmp_path / "r"
    first = quiet(options(out, style=two_prompt_style))
    # the two prompts read the same, yet each is its own work (its index is in the key)
    assert first.stats.new_generations == len(TASKS) * 2 * 2
    rows = [json.loads(line) for line in (out / "samples.jsonl").open()]
    assert len({r["key"] for r in rows}) == 8
    assert sorted((r["prompt_index"], r["sample_index"]) for r in rows
                  if r["task_id"] == TASKS[0]) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert first.conditions[0].samples == 8
    again = quiet(options(out, style=two_prompt_style))
    assert again.stats.new_generations == 0
    assert len(calls.read_text().splitlines()) == 8


def _old_key(model: str, endpoint: str | None, prompt_hash: str, config: dict[str, Any],
             index: int) -> str:
    """The work key as vulnbench computed it before the endpoint left it."""
    return stable_hash({"model": model, "endpoint": endpoint, "prompt": prompt_hash,
                        "config": config, "index": index})[:32]


def _config(gen: dict[str, Any]) -> dict[str, Any]:
    return {"temperature": gen["temperature"], "top_p": 0.95, "max_tokens": 256, "stop": [],
            "seed": 0}


def test_keys_without_an_endpoint_read_as_before(tmp_path: Path) -> None:
    out = tmp_path / "r"
    quiet(options(out))
    with sqlite3.connect(out / "run.sqlite") as db:
        gens = [json.loads(d) for (d,) in db.execute("SELECT data FROM generations")]
    assert gens and all(g["key"] == _old_key("mock", None, g["prompt_hash"], _config(g),
                                             g["sample_index"]) for g in gens)


def test_moving_a_model_to_another_host_does_not_regenerate(tmp_path: Path,
                                                            calls: Path) -> None:
    out = tmp_path / "r"
    first = quiet(options(out, backend=BackendOptions(base_url="http://host-a:8000/v1")))
    assert first.stats.new_generations == 4
    moved = quiet(options(out, backend=BackendOptions(base_url="http://host-b:9000/v1")))
    assert (moved.stats.new_generations, moved.stats.reused_generations) == (0, 4)
    assert len(calls.read_text().splitlines()) == 4


def _make_old_store(out: Path, endpoint: str) -> int:
    """Rewrite a run folder as vulnbench wrote it before: keys that hold the endpoint, no key
    scheme mark, settings with one style and conditions without one. Returns the samples."""
    with sqlite3.connect(out / "run.sqlite") as db:
        gens = [json.loads(d) for (d,) in db.execute("SELECT data FROM generations")]
        old = {g["key"]: _old_key("mock", endpoint, g["prompt_hash"], _config(g),
                                  g["sample_index"]) for g in gens}
        for table in ("generations", "samples", "verdicts"):
            rows = db.execute(f"SELECT key, data FROM {table}").fetchall()
            for key, data in rows:
                new = old[key]
                record = json.loads(data)
                record["key"] = new
                record.pop("prompt_index", None)
                db.execute(f"UPDATE {table} SET key=?, data=? WHERE key=?",
                           (new, json.dumps(record), key))
        db.execute("DELETE FROM meta WHERE key='work_keys'")
        db.execute("DROP TABLE prompts")
        settings = json.loads(db.execute("SELECT value FROM meta WHERE key='settings'")
                              .fetchone()[0])
        for cond in settings["conditions"]:
            for name in ("style", "style_params"):
                del cond[name]
        settings["settings"]["style"] = "code"
        db.execute("UPDATE meta SET value=? WHERE key='settings'", (json.dumps(settings),))
        return int(db.execute("SELECT count(*) FROM samples").fetchone()[0])


@pytest.mark.parametrize("endpoint", ["http://host-a:8000/v1", "http://host-b:9000/v1"])
def test_a_store_with_the_old_key_scheme_is_reused(tmp_path: Path, calls: Path,
                                                   endpoint: str) -> None:
    out = tmp_path / "r"
    old_url = "http://host-a:8000/v1"
    quiet(options(out, backend=BackendOptions(base_url=old_url)))
    assert _make_old_store(out, old_url) == 4
    calls.write_text("")
    # resumed at the same host or another one: every generation reused, no model call
    resumed = quiet(options(out, backend=BackendOptions(base_url=endpoint)))
    assert (resumed.stats.new_generations, resumed.stats.reused_generations) == (0, 4)
    assert calls.read_text() == ""
    assert [c.condition for c in resumed.conditions] == ["mock@T0.2"]
    with sqlite3.connect(out / "run.sqlite") as db:
        assert db.execute("SELECT count(*) FROM generations").fetchone()[0] == 4
        assert db.execute("SELECT count(*) FROM prompts").fetchone()[0] == len(TASKS)
    # and once migrated, larger n only adds samples
    more = quiet(options(out, n=3, backend=BackendOptions(base_url=endpoint)))
    assert (more.stats.new_generations, more.stats.reused_generations) == (2, 4)
