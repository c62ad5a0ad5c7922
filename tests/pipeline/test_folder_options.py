"""A run directory keeps one set of settings: a later command that changes what is generated
or how it is assessed is refused naming the difference (or adopts it with force_options);
one that adds conditions keeps every condition in the outputs; view and plumbing options are
free; an edited replay file is never silently reused."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from vulnbench.errors import RunStoreError
from vulnbench.models.base import BackendOptions
from vulnbench.pipeline import RunOptions, run
from vulnbench.results import Results

TASKS = ["demo-cwe089-user-lookup", "demo-cwe022-read-upload"]


def options(out: Path, **kw: Any) -> RunOptions:
    base: dict[str, Any] = dict(out=out, models=["mock"], temperatures=[0.0], n=1, ks=[1],
                                task_ids=TASKS, progress=False, bootstrap_reps=20,
                                run_tests=False, analyzers=[], backend=BackendOptions())
    base.update(kw)
    return RunOptions(**base)


def quiet(opts: RunOptions, **kw: Any) -> Results:
    return run(opts, echo=lambda _: None, **kw)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("baseline") / "r"
    quiet(options(out))
    return out


@pytest.fixture
def folder(baseline: Path, tmp_path: Path) -> Path:
    """A copy of a finished run directory (mock, style code, T0, n=1, two tasks)."""
    out = tmp_path / "r"
    shutil.copytree(baseline, out)
    return out


def labels(out: Path) -> list[str]:
    doc = json.loads((out / "results.json").read_text())
    return [c["condition"] for c in doc["conditions"]]


def test_another_style_adds_conditions_like_a_temperature(folder: Path) -> None:
    added = quiet(options(folder, style="text"))
    # the folder's style-code condition is listed (not regenerated) beside the new one, and
    # with two strategies every label names its strategy
    assert (added.stats.new_generations, added.stats.reused_generations) == (2, 2)
    assert labels(folder) == ["mock@T0/code", "mock@T0/text"]
    assert [(c.label, c.style) for c in added.run_spec.conditions] == [
        ("mock@T0/code", "code"), ("mock@T0/text", "text")]
    # back to the one style: nothing is generated and the folder still lists both
    again = quiet(options(folder))
    assert (again.stats.new_generations, again.stats.reused_generations) == (0, 4)
    assert labels(folder) == ["mock@T0/code", "mock@T0/text"]


def test_force_options_adopts_new_generation_settings(folder: Path) -> None:
    quiet(options(folder, temperatures=[0.5]))  # a second condition under the old settings
    forced = quiet(options(folder, top_p=0.5), force_options=True)
    assert forced.run_spec.generation.top_p == 0.5
    assert (forced.stats.new_generations, forced.stats.reused_generations) == (2, 0)
    # conditions generated with --top-p 0.95 are no longer listed next to --top-p 0.5 ones
    assert labels(folder) == ["mock@T0"]
    samples = [json.loads(line) for line in (folder / "samples.jsonl").open()]
    assert len(samples) == 2
    # and the directory now holds --top-p 0.5: going back is refused in turn
    with pytest.raises(RunStoreError, match=r"--top-p 0\.5; this command asks for --top-p 0\.95"):
        quiet(options(folder))


def test_changed_setting_is_refused_and_the_outputs_stay(folder: Path) -> None:
    before = (folder / "results.json").read_bytes(), (folder / "report.md").read_bytes()
    with pytest.raises(RunStoreError) as err:
        quiet(options(folder, max_tokens=64))
    text = str(err.value)
    assert f"{folder} was run with --max-tokens 256; this command asks for --max-tokens 64" \
        in text
    assert "another --out" in text and "--force-options" in text
    assert ((folder / "results.json").read_bytes(), (folder / "report.md").read_bytes()) == before
    # the refusal recorded nothing: the same command is refused again, the old one resumes
    with pytest.raises(RunStoreError):
        quiet(options(folder, max_tokens=64))
    again = quiet(options(folder))
    assert (again.stats.new_generations, again.stats.reused_generations) == (0, 2)


@pytest.mark.parametrize(("change", "was", "now"), [
    ({"top_p": 0.5}, "--top-p 0.95", "--top-p 0.5"),
    ({"max_tokens": 64}, "--max-tokens 256", "--max-tokens 64"),
    ({"stop": ["\ndef "]}, "no --stop", '--stop "\\ndef "'),
    ({"seed": 7}, "--seed 0", "--seed 7"),
    ({"policy": "any"}, "--policy target", "--policy any"),
    ({"dedup": "exact"}, "--dedup none", "--dedup exact"),
    ({"analyzers": ["bandit"]}, "no --analyzer", "--analyzer bandit"),
    ({"backend": BackendOptions(extra={"chat": "false"})}, "chat prompts", "--no-chat"),
])
def test_each_setting_is_checked(folder: Path, change: dict[str, Any], was: str,
                                 now: str) -> None:
    with pytest.raises(RunStoreError) as err:
        quiet(options(folder, **change))
    assert f"was run with {was}; this command asks for {now}:" in str(err.value)


def test_changed_dataset_content_is_refused(tmp_path: Path) -> None:
    from vulnbench.datasets import load_dataset

    tasks = tmp_path / "tasks.jsonl"
    rows = [t.model_dump(mode="json") for t in load_dataset("demo").tasks if t.id in TASKS]
    tasks.write_text("".join(json.dumps(r) + "\n" for r in rows))
    quiet(options(tmp_path / "r", dataset=str(tasks)))
    rows[0]["code_prompt"] += "    # edited\n"
    tasks.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(RunStoreError, match=r"was run with --dataset .*tasks\.jsonl \(content"):
        quiet(options(tmp_path / "r", dataset=str(tasks)))


def test_assessment_change_forced_keeps_and_reassesses_every_condition(folder: Path) -> None:
    quiet(options(folder, temperatures=[0.5]))
    forced = quiet(options(folder, policy="any"), force_options=True)
    assert labels(folder) == ["mock@T0", "mock@T0.5"]
    assert forced.stats.new_generations == 0
    assert forced.stats.assessed == 4  # both conditions, under the new policy


def test_added_conditions_keep_every_condition_in_the_outputs(folder: Path) -> None:
    added = quiet(options(folder, temperatures=[0.5, 0.8]))
    assert (added.stats.new_generations, added.stats.reused_generations) == (4, 2)
    assert labels(folder) == ["mock@T0", "mock@T0.5", "mock@T0.8"]
    assert added.run_spec.temperatures == [0.0, 0.5, 0.8]
    # a later command naming only the first condition still lists them all, calling no model
    again = quiet(options(folder))
    assert (again.stats.new_generations, again.stats.reused_generations) == (0, 6)
    assert labels(folder) == ["mock@T0", "mock@T0.5", "mock@T0.8"]


def test_view_and_plumbing_options_are_free(folder: Path) -> None:
    messages: list[str] = []
    more = run(options(folder, n=2, ks=[1, 2], temperatures=[0.0], bootstrap_reps=30,
                       backend=BackendOptions(concurrency=1, timeout=5, max_retries=0)),
               echo=messages.append)
    assert (more.stats.new_generations, more.stats.reused_generations) == (2, 2)
    fewer = quiet(options(folder, task_ids=TASKS[:1]))
    assert (fewer.stats.new_generations, fewer.stats.reused_generations) == (0, 1)
    assert not [m for m in messages if "force-options" in m]


def _replay_file(path: Path, text: str) -> Path:
    path.write_text("".join(json.dumps({"task_id": t, "sample_index": 0, "text": text}) + "\n"
                            for t in TASKS))
    return path


def test_edited_replay_file_is_refused_then_replayed_when_forced(tmp_path: Path) -> None:
    file = _replay_file(tmp_path / "outputs.jsonl", "    return 1\n")
    old = hashlib.sha256(file.read_bytes()).hexdigest()
    out = tmp_path / "r"
    first = quiet(options(out, models=[f"replay:{file}"]))
    assert first.stats.new_generations == 2

    _replay_file(file, "    return 2\n")
    new = hashlib.sha256(file.read_bytes()).hexdigest()
    with pytest.raises(RunStoreError) as err:
        quiet(options(out, models=[f"replay:{file}"]))
    text = str(err.value)
    assert f"replay file {file} changed" in text
    assert f"sha256 {old} then, {new} now" in text and "--force-options" in text
    # refused twice: the refusal did not record the new hash as if it had been replayed
    with pytest.raises(RunStoreError, match="changed"):
        quiet(options(out, models=[f"replay:{file}"]))

    forced = quiet(options(out, models=[f"replay:{file}"]), force_options=True)
    assert (forced.stats.new_generations, forced.stats.reused_generations) == (2, 0)
    rows = [json.loads(line) for line in (out / "samples.jsonl").open()]
    assert len(rows) == 2 and all(r["raw"] == "    return 2\n" for r in rows)
    resumed = quiet(options(out, models=[f"replay:{file}"]))
    assert (resumed.stats.new_generations, resumed.stats.reused_generations) == (0, 2)


def test_condition_remade_from_another_source_is_refused(tmp_path: Path) -> None:
    name = "dataset_m_0.2.jsonl"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = _replay_file(tmp_path / "a" / name, "    return 1\n")
    other = _replay_file(tmp_path / "b" / name, "    return 1\n")
    out = tmp_path / "r"
    quiet(options(out, models=[f"replay:{first}"], temperatures=[]))
    make: Callable[..., Results] = lambda **kw: quiet(  # noqa: E731
        options(out, models=[f"replay:{other}"], temperatures=[]), **kw)
    with pytest.raises(RunStoreError) as err:
        make()
    assert f"holds condition m@T0.2 made from replay:{first}" in str(err.value)
    assert f"this command makes it from replay:{other}" in str(err.value)
    make(force_options=True)
    assert labels(out) == ["m@T0.2"]
