"""The classification runner on scripted FAKE model backends (plumbing only: no real model).
Every figure checked is computed by hand in the test from the fakes' scripted answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.classify.fakes import (
    FakeScripted,
    use_fakes,
    write_tasks,
)
from vulnbench.classify.runner import ClassifyOptions, classify
from vulnbench.errors import DatasetError, ModelError, UnknownNameError
from vulnbench.models.base import BackendOptions


@pytest.fixture(autouse=True)
def _fakes(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fakes(monkeypatch)


@pytest.fixture()
def dataset(tmp_path: Path) -> Path:
    return write_tasks(tmp_path / "tasks.jsonl")


def opts(out: Path, dataset: Path, task: str, **kw: Any) -> ClassifyOptions:
    return ClassifyOptions(out=out, dataset=str(dataset), task=task,  # type: ignore[arg-type]
                           model=kw.pop("model", "fake-scripted"),
                           backend=BackendOptions(concurrency=1), **kw)


def quiet(_: str) -> None:
    pass


def test_detection_figures_against_hand_computed(tmp_path: Path, dataset: Path) -> None:
    notes: list[str] = []
    res = classify(opts(tmp_path / "o", dataset, "detect"), notes.append)
    # truth V,N (sql) V,N (path); answers V,N, V,V
    s = res["summary"]
    assert (res["n_items"], s["n"], len(FakeScripted.calls)) == (4, 4, 4)
    assert s["accuracy"] == pytest.approx(3 / 4)
    vul, safe = s["classes"]["vulnerable"], s["classes"]["not-vulnerable"]
    assert (vul["precision"], vul["recall"], vul["f1"]) == pytest.approx((2 / 3, 1.0, 0.8))
    assert (safe["precision"], safe["recall"], safe["f1"]) == pytest.approx((1.0, 0.5, 2 / 3))
    assert s["macro"]["f1"] == pytest.approx((0.8 + 2 / 3) / 2)
    assert s["confusion"]["matrix"] == [[2, 0], [1, 1]]
    rows = {r["cwe"]: r for r in res["table7"]["rows"]}
    assert rows["CWE-89"]["detect_accuracy"] == 1.0 and rows["CWE-22"]["detect_accuracy"] == 0.5
    # truth and prompt index: the insecure reference is asked first
    assert [(i["task_id"], i["truth"]) for i in res["items"]] == [
        ("sql", "vulnerable"), ("sql", "not-vulnerable"),
        ("path", "vulnerable"), ("path", "not-vulnerable")]
    assert res["skipped"] == {"detection needs both an insecure and a secure reference": 2,
                              "a utility task has no weakness to classify": 1}
    assert any("2 tasks skipped" in n for n in notes)
    assert res["rendering"] == "chat" and all(p.kind == "chat" for p in FakeScripted.calls)


def test_cwe_type_aliases_names_and_choices(tmp_path: Path, dataset: Path) -> None:
    res = classify(opts(tmp_path / "o", dataset, "cwe"), quiet)
    assert res["choices"][0][0] == "CWE-22"
    assert [c for c, _ in res["choices"]] == ["CWE-22", "CWE-78", "CWE-79", "CWE-89"]
    # every prompt lists all four choices
    assert all(p.text.count("\nCWE-") == 4 for p in FakeScripted.calls)
    got = {i["task_id"]: i["predicted"] for i in res["items"]}
    # cwe_089 -> CWE-89; CWE-23 is the path task's own second id -> its primary CWE-22;
    # "OS command injection" by name -> CWE-78; xss answered CWE-89 (wrong)
    assert got == {"sql": "CWE-89", "path": "CWE-22", "cmd": "CWE-78", "xss": "CWE-89"}
    s = res["summary"]
    assert s["accuracy"] == pytest.approx(3 / 4)
    sqli = s["classes"]["CWE-89"]
    assert (sqli["precision"], sqli["recall"], sqli["f1"]) == pytest.approx((0.5, 1.0, 2 / 3))
    assert res["table7"]["type_accuracy"] == pytest.approx(3 / 4)
    assert res["skipped"] == {"a utility task has no weakness to classify": 1}
    doc = json.loads((tmp_path / "o" / "results.json").read_text())
    assert doc["summary"]["classes"]["CWE-79"]["precision"] is None  # never predicted: NaN


def test_rerun_makes_no_call_and_loads_no_model(tmp_path: Path, dataset: Path) -> None:
    first = classify(opts(tmp_path / "o", dataset, "detect"), quiet)
    assert (FakeScripted.loads, len(FakeScripted.calls), first["new_answers"]) == (1, 4, 4)
    second = classify(opts(tmp_path / "o", dataset, "detect"), quiet)
    assert (FakeScripted.loads, len(FakeScripted.calls)) == (1, 4)
    assert (second["new_answers"], second["reused_answers"]) == (0, 4)
    assert second["summary"] == first["summary"]


def test_more_samples_ask_only_the_new_ones(tmp_path: Path, dataset: Path) -> None:
    classify(opts(tmp_path / "o", dataset, "detect"), quiet)
    res = classify(opts(tmp_path / "o", dataset, "detect", n=2), quiet)
    assert len(FakeScripted.calls) == 4 + 4  # the sample-1 answers only
    assert res["summary"]["n"] == 8 and res["summary"]["accuracy"] == pytest.approx(6 / 8)
    assert sorted({i["sample_index"] for i in res["items"]}) == [0, 1]


def test_model_error_keeps_finished_answers_and_resumes(tmp_path: Path, dataset: Path) -> None:
    FakeScripted.fail_at = 2
    with pytest.raises(ModelError) as err:
        classify(opts(tmp_path / "o", dataset, "detect"), quiet)
    kept = len(FakeScripted.calls)  # the calls already under way may finish: 1 to 3
    assert 1 <= kept <= 3
    assert f"fake endpoint went away ({kept} of 4 answers are stored" in str(err.value)
    assert "run the same command again" in str(err.value)
    assert not (tmp_path / "o" / "results.json").exists()
    res = classify(opts(tmp_path / "o", dataset, "detect"), quiet)
    assert len(FakeScripted.calls) == 4  # only the missing ones were asked
    assert (res["new_answers"], res["reused_answers"]) == (4 - kept, kept)
    assert res["summary"]["accuracy"] == pytest.approx(3 / 4)


def test_always_vulnerable_gives_null_for_undefined(tmp_path: Path, dataset: Path) -> None:
    classify(opts(tmp_path / "o", dataset, "detect", model="fake-always-vulnerable"), quiet)
    text = (tmp_path / "o" / "results.json").read_text()
    assert "NaN" not in text
    s = json.loads(text)["summary"]
    assert s["accuracy"] == 0.5
    assert s["classes"]["vulnerable"]["precision"] == 0.5
    assert s["classes"]["not-vulnerable"]["precision"] is None  # never predicted
    assert s["classes"]["not-vulnerable"]["recall"] == 0.0


def test_garbage_answers_count_as_unparseable(tmp_path: Path, dataset: Path) -> None:
    res = classify(opts(tmp_path / "o", dataset, "cwe", model="fake-garbage"), quiet)
    assert res["summary"]["accuracy"] == 0.0
    assert res["summary"]["predicted"]["unparseable"] == 4
    assert res["table7"]["unparseable"]["type"] == 4
    report = (tmp_path / "o" / "report.md").read_text()
    assert "| 4 of 4 |" in report and "Table 7" in report


def test_model_without_chat_template_gets_completions(tmp_path: Path, dataset: Path) -> None:
    o = opts(tmp_path / "o", dataset, "detect")
    o.backend.extra["chat"] = "false"
    res = classify(o, quiet)
    assert res["rendering"] == "completion"
    assert all(p.kind == "completion" and p.text.endswith("Answer:")
               for p in FakeScripted.calls)
    classify(o, quiet)  # the recorded rendering finds every answer: no load, no call
    assert (FakeScripted.loads, len(FakeScripted.calls)) == (1, 4)


def test_selection_by_task_id_and_limit(tmp_path: Path, dataset: Path) -> None:
    res = classify(opts(tmp_path / "a", dataset, "cwe", task_ids=["xss", "sql"]), quiet)
    assert [i["task_id"] for i in res["items"]] == ["sql", "xss"]  # dataset order
    res = classify(opts(tmp_path / "b", dataset, "detect", limit=1), quiet)
    assert {i["task_id"] for i in res["items"]} == {"sql"}


def test_bad_input_fails_before_writing(tmp_path: Path, dataset: Path) -> None:
    with pytest.raises(UnknownNameError, match="unknown model backend 'nope'"):
        classify(opts(tmp_path / "a", dataset, "detect", model="nope:x"), quiet)
    with pytest.raises(DatasetError, match=r"no task\(s\): \['ghost'\]"):
        classify(opts(tmp_path / "b", dataset, "detect", task_ids=["ghost"]), quiet)
    with pytest.raises(DatasetError, match="no task usable for --task detect"):
        classify(opts(tmp_path / "c", dataset, "detect", task_ids=["cmd", "util"]), quiet)
    assert not any((tmp_path / d).exists() for d in "abc")
    assert FakeScripted.loads == 0


def test_both_tasks_in_one_folder_make_one_table7(tmp_path: Path, dataset: Path) -> None:
    """--task detect then --task cwe into one folder: Table 7 shows both, as the paper's does,
    from stored answers (no detection question is asked again)."""
    out = tmp_path / "o"
    classify(opts(out, dataset, "detect"), quiet)
    res = classify(opts(out, dataset, "cwe"), quiet)
    assert len(FakeScripted.calls) == 4 + 4
    assert res["task"] == "cwe" and res["table7_answers"] == {"detect": 4, "cwe": 4}
    rows = {r["cwe"]: r for r in res["table7"]["rows"]}
    # detection: sql V,N both right -> 1.0; path V right, N answered V -> 0.5
    assert rows["CWE-89"]["detect_accuracy"] == 1.0
    assert rows["CWE-22"]["detect_accuracy"] == 0.5
    # type: CWE-89 predicted for sql (right) and xss (wrong): precision 1/2, recall 1/1
    assert (rows["CWE-89"]["precision"], rows["CWE-89"]["recall"]) == pytest.approx((0.5, 1.0))
    assert rows["CWE-78"]["detect_n"] is None  # no secure reference: never asked to detect
    assert "| CWE-89 | 1.00 |" in (out / "report.md").read_text()
