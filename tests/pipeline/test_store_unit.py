"""The run store on its own (no model, no sandbox): prompts with their provenance, moving work
to new keys, and a store from before the prompts table opening as the same schema."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from vulnbench.records import Completion, Generation, Prompt, Sample, Verdict
from vulnbench.store import RunStore


def _gen(key: str, text: str = "x") -> Generation:
    return Generation(key=key, condition="m@T0", model="m", temperature=0.0, task_id="t",
                      sample_index=0, prompt_hash="h", completion=Completion(text=text),
                      seconds=0.1)


def _sample(key: str) -> Sample:
    return Sample(key=key, condition="m@T0", task_id="t", sample_index=0, raw="x", code="x",
                  status="ok")


def test_prompts_keep_their_strategy_and_provenance(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "run.sqlite")
    shot = Prompt(task_id="t", style="one-shot", kind="chat", text="Problem: ...",
                  meta={"examples": ["other-task"], "retrieved": [{"id": "d1", "score": 0.5}]})
    plain = Prompt(task_id="t", style="code", kind="completion", text="def f():")
    store.put_prompts([shot, plain])
    assert store.get_prompt(shot.hash) == shot
    assert store.get_prompt(plain.hash) == plain and store.get_prompt("nope") is None
    rows = dict(store.db.execute("SELECT hash, strategy FROM prompts").fetchall())
    assert rows == {shot.hash: "one-shot", plain.hash: "code"}
    # provenance is not what the model is asked: it does not change the hash (the work key)
    assert shot.model_copy(update={"meta": {}}).hash == shot.hash
    assert shot.model_copy(update={"text": "Problem: other"}).hash != shot.hash
    store.close()


def test_rekey_moves_work_with_its_samples_and_verdicts(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "run.sqlite")
    store.put_generation(_gen("old"))
    store.put_samples([_sample("old")])
    store.put_verdict(Verdict(key="old", status="assessed", secure=True), "fp")
    store.put_generation(_gen("kept-old", "old text"))
    store.put_generation(_gen("kept-new", "new text"))
    assert store.rekey({"old": "new", "kept-old": "kept-new", "absent": "x"}) == 1
    assert store.generation_keys() == {"new", "kept-old", "kept-new"}
    moved = store.get_generation("new")
    assert moved is not None and moved.key == "new"
    assert [s.key for s in store.iter_samples()] == ["new"]
    verdict = store.get_verdict("new")
    assert verdict is not None and verdict.key == "new" and verdict.secure is True
    assert store.verdict_fingerprints() == {"new": "fp"}
    # work already stored under the new key wins over the old
    kept = store.get_generation("kept-new")
    assert kept is not None and kept.completion.text == "new text"
    store.close()


def test_a_store_without_the_prompts_table_opens_and_gains_it(tmp_path: Path) -> None:
    path = tmp_path / "run.sqlite"
    RunStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE prompts")
    store = RunStore(path)
    assert store.get_meta("schema_version") == "1"
    store.put_prompts([Prompt(task_id="t", style="code", kind="completion", text="x")])
    assert store.db.execute("SELECT count(*) FROM prompts").fetchone()[0] == 1
    store.close()
