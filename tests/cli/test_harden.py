"""``vulnbench run --style retrieval:*`` and ``vulnbench harden``: the retrieved demonstration
reaches the model but never the scored code, the run spec names the store, parameters show in
the strategy, and the harden commands give clean errors. The model is the scripted MOCK backend
(plumbing only)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.cli.test_cli import assert_clean_error, cli
from vulnbench.harden.store import DemoStore


def _prompts(run: Path) -> list[dict[str, object]]:
    with sqlite3.connect(run / "run.sqlite") as db:
        return [json.loads(d) for (d,) in db.execute("SELECT data FROM prompts")]


def _tasks() -> dict[str, dict[str, str]]:
    from vulnbench.datasets import load_dataset

    return {t.id: {"ref": t.secure_reference, "code_prompt": t.code_prompt}
            for t in load_dataset("builtin").tasks}


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    return tmp_path / "demos.sqlite"


def test_retrieval_styles_in_a_run(tmp_path: Path, store: Path) -> None:
    out = tmp_path / "run"
    proc = cli("run", "--out", str(out), "--model", "mock", "--dataset", "builtin",
               "--limit", "4", "--n", "1", "--no-tests", "--style",
               "code,retrieval:bm25,retrieval:random", "--retrieval-store", str(store))
    assert proc.returncode == 0, proc.stderr
    results = json.loads((out / "results.json").read_text())
    labels = {c["condition"] for c in results["conditions"]}
    assert {"mock@T0.2/code", "mock@T0.2/retrieval:bm25[store=" + str(store) + "]",
            "mock@T0.2/retrieval:random[store=" + str(store) + "]"} == labels
    with DemoStore.open(store) as db:
        expected = db.content_hash()
    assert set(results["run_spec"]["retrieval_stores"].values()) == {expected}
    tasks = _tasks()
    retrieval = [p for p in _prompts(out) if str(p["style"]).startswith("retrieval:")]
    assert len(retrieval) == 8
    for p in retrieval:
        task = tasks[str(p["task_id"])]
        meta = p["meta"]
        assert isinstance(meta, dict)
        assert meta["demos"] and p["task_id"] not in meta["demos"]  # leave-one-out
        assert task["ref"].strip() not in str(p["text"])  # never its own reference
        assert str(p["text"]).endswith(task["code_prompt"])  # the demo goes before the prompt
        assert p["prefix"] == task["code_prompt"]  # ... and is not part of the scored code
    with sqlite3.connect(out / "run.sqlite") as db:
        codes = [json.loads(d) for (d,) in db.execute("SELECT data FROM samples")]
    assert codes and all('"""\n```' not in str(s.get("code", "")) for s in codes)


def test_retrieval_top_and_setting_show_in_the_strategy(tmp_path: Path, store: Path) -> None:
    out = tmp_path / "run"
    proc = cli("run", "--out", str(out), "--model", "mock", "--dataset", "builtin",
               "--limit", "2", "--n", "1", "--no-tests", "--style", "retrieval:bm25",
               "--retrieval-top", "2", "--retrieval-setting", "exclude-cwe",
               "--retrieval-store", str(store))
    assert proc.returncode == 0, proc.stderr
    spec = json.loads((out / "results.json").read_text())["run_spec"]
    params = spec["conditions"][0]["style_params"]
    assert params["top"] == "2" and params["setting"] == "exclude-cwe"
    for p in _prompts(out):
        meta = p["meta"]
        assert isinstance(meta, dict) and len(meta["demos"]) == 2
        assert str(p["text"]).count("```\n") >= 4  # two fenced demonstrations


def test_bad_retrieval_options_are_one_line_errors(tmp_path: Path, store: Path) -> None:
    base = ["run", "--out", str(tmp_path / "r"), "--model", "mock", "--no-tests",
            "--style", "retrieval:bm25", "--retrieval-store", str(store)]
    assert_clean_error(cli(*base, "--retrieval-setting", "nearby"), "--retrieval-setting")
    assert_clean_error(cli(*base, "--retrieval-top", "0"), "--retrieval-top")
    assert_clean_error(cli("run", "--out", str(tmp_path / "r"), "--model", "mock",
                           "--style", "retrieval:magic"), "unknown prompt style")
    assert not (tmp_path / "r").exists()


def test_db_add_then_retrieved(tmp_path: Path, store: Path) -> None:
    entry = tmp_path / "mine.jsonl"
    code = ("def load_profile(db, user_id):\n"
            "    return db.execute('SELECT * FROM p WHERE id = ?', (user_id,))\n")
    entry.write_text(json.dumps({"code": code, "cwe": "89", "language": "python",
                                 "problem": "load a profile"}) + "\n")
    proc = cli("harden", "db", "add", str(entry), "--store", str(store))
    assert proc.returncode == 0, proc.stderr
    assert "1 new of 1 entry" in proc.stderr
    again = cli("harden", "db", "add", str(entry), "--store", str(store))
    assert "0 new of 1 entry" in again.stderr
    listing = cli("harden", "db", "list", "--store", str(store), "--json")
    rows = [json.loads(line) for line in listing.stdout.splitlines()]
    mine = [r for r in rows if r["source"].startswith("user:")]
    assert len(mine) == 1 and mine[0]["cwe"] == ["CWE-89"] and mine[0]["code"] == code
    assert len(rows) > 100  # the built-in references are there too


def test_db_add_bad_file_names_the_line(tmp_path: Path, store: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"code": "x = 1", "cwe": "89", "language": "python"}\n{"cwe": "89"}\n')
    assert_clean_error(cli("harden", "db", "add", str(bad), "--store", str(store)),
                       "bad.jsonl:2")
    assert_clean_error(cli("harden", "db", "add", str(tmp_path / "missing.jsonl"),
                           "--store", str(store)), "missing.jsonl")


def test_retrieval_eval_json(store: Path) -> None:
    proc = cli("harden", "retrieval-eval", "--retriever", "bm25,random", "--setting", "loo",
               "--store", str(store), "--json", "--k", "1,5")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    rows = {(r["retriever"], r["language"]): r for r in report["rows"]}
    assert rows[("bm25", "all")]["tasks"] == 183
    # BM25 finds the task's CWE far more often than chance
    assert rows[("bm25", "all")]["accuracy"]["1"] > 2 * rows[("random", "all")]["accuracy"]["1"]
    assert_clean_error(cli("harden", "retrieval-eval", "--setting", "nearby", "--store",
                           str(store)), "--setting")


def test_compare_end_to_end_with_the_mock_model(tmp_path: Path, store: Path) -> None:
    out = tmp_path / "cmp"
    args = ["harden", "compare", "--model", "mock", "--n", "1", "--limit", "2",
            "--humaneval-limit", "2", "--defence", "code,retrieval:bm25,cwe-aware",
            "--store", str(store), "--out", str(out), "--reps", "200"]
    calls = tmp_path / "calls.txt"
    proc = cli(*args, env={"VULNBENCH_MOCK_CALLS": str(calls)})
    assert proc.returncode == 0, proc.stderr
    made = len(calls.read_text().splitlines())
    assert made == 2 * 3 + 2 * 2  # 2 tasks x 3 defences, 2 HumanEval problems x 2 that apply
    data = json.loads((out / "comparison.json").read_text())
    rows = {r["strategy"].split("[")[0]: r for r in data["rows"]}
    assert set(rows) == {"code", "retrieval:bm25", "cwe-aware"}
    assert (out / "security" / "results.json").is_file()
    assert (out / "humaneval" / "results.json").is_file()
    table = (out / "comparison.md").read_text()
    assert "not run on HumanEval" in table  # cwe-aware cannot prompt HumanEval
    # a second command resumes: no model call is made again
    again = cli(*args, env={"VULNBENCH_MOCK_CALLS": str(calls)})
    assert again.returncode == 0, again.stderr
    assert len(calls.read_text().splitlines()) == made
    assert json.loads((out / "comparison.json").read_text())["rows"] == data["rows"]


def test_compare_refuses_a_baseline_it_does_not_run(tmp_path: Path) -> None:
    assert_clean_error(cli("harden", "compare", "--model", "mock", "--defence", "code,one-shot",
                           "--baseline", "cwe-aware", "--out", str(tmp_path / "c")),
                       "--baseline cwe-aware")
    assert not (tmp_path / "c").exists()
