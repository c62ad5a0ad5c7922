"""An inversion attack end to end on the MOCK backend (a scripted fake model: plumbing only,
never a stand-in for a real one) and the real bandit: two Python CWEs, FS-Code and OS-Prompt,
k = k' = 2, two permutations, the CVE-prompt baseline. The script answers each phase-1 call
with a distinct function header and each phase-2 call with a vulnerable body (sample 0) or a
safe one (sample 1), so every count below is known. Also: a rerun makes no call and writes
the same results, a larger k makes only the new calls, a SIGKILLed CLI run resumes without
repeating a call, and load_attack reads a folder without touching the model."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from vulnbench.attack.config import InversionConfig
from vulnbench.attack.engine import Attack, LazyModel, example_sets, prompt_calls
from vulnbench.attack.inversion import invert, load_attack
from vulnbench.models import BackendOptions
from vulnbench.store import RunStore

CMD_BAD = "    os.system(cmd)\n"
CMD_OK = "    return cmd\n"
SQL_BAD = "    return db.execute(\"SELECT * FROM users WHERE name = '%s'\" % name)\n"
SQL_OK = "    return db.execute(\"SELECT * FROM users WHERE name = ?\", (name,))\n"
METHODS = ["fs-code", "os-prompt"]
CWES = ["CWE-78", "CWE-89"]
TIMING = ("wall_seconds", "model_seconds", "new_calls", "reused_calls")


def config(script: Path, **overrides: Any) -> InversionConfig:
    fields: dict[str, Any] = {
        "model": f"mock:{script}", "cwes": CWES, "methods": METHODS, "k": 2, "k2": 2,
        "permutations": 2, "baseline": True, "chat": "completion", "analyzers": ["bandit"],
        "confirm": False}
    return InversionConfig(**{**fields, **overrides})


def write_script(script: Path, tmp: Path, k: int = 3) -> None:
    """The fake model's answers for every phase-1 and phase-2 task id of the attack (ids
    listed by the engine's own plan, for up to ``k`` samples per few-shot prompt)."""
    cfg = config(script, k=k)
    store = RunStore(tmp / "plan.sqlite")
    try:
        attack = Attack(cfg, store, example_sets(cfg, lambda _: None), False,
                        LazyModel(cfg.model, BackendOptions()), echo=lambda _: None)
        calls = prompt_calls(attack)
    finally:
        store.close()
    out: dict[str, list[str]] = {}
    for call in calls:
        fs, cond = attack.fewshots[call.owner], call.condition
        assert cond is not None
        label, fs_id, lang, cwe, p = cond.label, fs.id, fs.language, fs.cwe, fs.permutation
        i = call.item.sample_index
        tag = f"{fs_id.split('/')[0].replace('-', '_')}_p{p}_q{i}"
        header = (f"import os\n\n\ndef run_{tag}(cmd):\n" if cwe == "CWE-78"
                  else f"def find_{tag}(db, name):\n")
        out.setdefault(fs_id, []).append(header)
        bodies = [CMD_BAD, CMD_OK] if cwe == "CWE-78" else [SQL_BAD, SQL_OK]
        out[f"{label}/{lang}/{cwe}/p{p}/q{i}"] = bodies
    script.write_text(json.dumps(out))


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "script.json"
    write_script(path, tmp_path)
    return path


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


def _results(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "results.json").read_text())
    return data


def _without_timing(results: dict[str, Any]) -> dict[str, Any]:
    run = {k: v for k, v in results["run"].items() if k not in TIMING}
    return {**results, "run": run}


PLANNED = 2 * 2 * 2 * 2 + (2 * 2 * 2 * 2 * 2 + 2 * 2 * 2 * 2)  # phase 1 + phase 2 (+baseline)


def check_complete(results: dict[str, Any], k: int = 2) -> None:
    """Every planned code is there, and the scripted verdicts are counted."""
    per_cell = 2 * k * 2  # permutations x k x k'
    for method in METHODS:
        label = f"{method}/s{3 if method == 'fs-code' else 1}/Tp0.6/Tc0.6"
        for cwe in CWES:
            cell = results["counts"][label]["python"][cwe]
            assert cell["generated"] == per_cell, (label, cwe, cell)
            assert cell["scored"] == per_cell and cell["syntax_error"] == 0
            assert cell["vulnerable"] == per_cell // 2  # sample 0 of every prompt
            assert cell["prompts"] == 2 * k
        matrix = results["matrix"][method]["python"]
        assert matrix["rows"] == CWES and matrix["columns"] == [*CWES, "Other"]
        assert matrix["percent"] == [[50.0, 0.0, 0.0], [0.0, 50.0, 0.0]]
    for cwe in CWES:
        assert results["counts"]["cve-prompt/s0/Tp0.6/Tc0.6"]["python"][cwe][
            "generated"] == per_cell


@pytest.mark.parametrize("chat", ["completion", "chat"])
def test_invert_end_to_end(tmp_path: Path, script: Path, calls_file: Path, chat: str) -> None:
    out = tmp_path / "attack"
    results = invert(config(script, chat=chat), out, BackendOptions(), echo=lambda _: None)
    assert (out / "results.json").is_file() and (out / "report.md").is_file()
    assert "CWE-78" in (out / "report.md").read_text()
    data = _results(out)
    assert data == json.loads(results.model_dump_json())
    check_complete(data)
    assert len(_lines(calls_file)) == PLANNED
    assert data["run"]["new_calls"] == PLANNED and data["run"]["reused_calls"] == 0
    assert data["run"]["calls"] == {"invert:prompts": 16, "invert:codes": 48}
    assert data["run"]["prompting"] == chat


def test_rerun_makes_no_call_and_larger_k_only_the_new_ones(
        tmp_path: Path, script: Path, calls_file: Path) -> None:
    out = tmp_path / "attack"
    invert(config(script, chat="auto"), out, BackendOptions(), echo=lambda _: None)
    first_calls = _lines(calls_file)
    first = _results(out)
    assert first["run"]["prompting"] == "chat"  # the fake model has a chat template

    hidden = script.rename(tmp_path / "hidden.json")  # loading the model would now fail
    invert(config(script, chat="auto"), out, BackendOptions(), echo=lambda _: None)
    hidden.rename(script)
    assert _lines(calls_file) == first_calls  # no model call at all
    again = _results(out)
    assert _without_timing(again) == _without_timing(first)
    assert (again["run"]["new_calls"], again["run"]["reused_calls"]) == (0, PLANNED)

    invert(config(script, k=3, chat="auto"), out, BackendOptions(), echo=lambda _: None)
    new_calls = _lines(calls_file)[len(first_calls):]
    # phase 1: one more sample per few-shot prompt; phase 2: k' codes of each new prompt;
    # baseline: 2 x 3 x 2 = 12 codes per CWE over 4 examples, 8 before
    assert len(new_calls) == 8 + 8 * 2 + 2 * 4
    assert len(set(new_calls)) == len(new_calls)
    assert not set(new_calls) & set(first_calls)
    larger = _results(out)
    check_complete(larger, k=3)
    assert (larger["run"]["new_calls"], larger["run"]["reused_calls"]) == (32, PLANNED)


def test_load_attack_reads_without_the_model(tmp_path: Path, script: Path,
                                             calls_file: Path) -> None:
    out = tmp_path / "attack"
    invert(config(script), out, BackendOptions(), echo=lambda _: None)
    calls = _lines(calls_file)
    script.unlink()  # a model load would now fail: the mock reads its script on creation
    attack, codes = load_attack(out, echo=lambda _: None)
    try:
        assert attack.generate is False and attack.get_model.model is None  # type: ignore[attr-defined]
        assert attack.config == config(script)
        assert len(codes) == 48 and len(attack.prompts) == 16 + 8
        vulnerable = {c.id for c in codes if c.vulnerable}
        assert len(vulnerable) == 16
        assert all(c.endswith("/c0") and not c.startswith("cve-prompt") for c in vulnerable)
    finally:
        attack.store.close()
    assert _lines(calls_file) == calls


VULNBENCH = [sys.executable, "-m", "vulnbench.cli.main"]


def _rows(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as con:
            return int(con.execute("SELECT COUNT(*) FROM generations").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def test_sigkill_mid_phase_resumes_without_repeating_a_call(
        tmp_path: Path, script: Path, calls_file: Path) -> None:
    out = tmp_path / "attack"
    args = [*VULNBENCH, "invert", "--out", str(out), "--model", f"mock:{script}",
            "--cwe", "CWE-78,CWE-89", "--method", "fs-code", "--method", "os-prompt",
            "--k", "2", "--k2", "2", "--permutations", "2", "--chat", "completion",
            "--analyzer", "bandit", "--no-confirm", "--concurrency", "1"]
    env = {**os.environ, "VULNBENCH_MOCK_DELAY": "0.1"}
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        # kill right after a commit, inside phase 2 (phase 1 is 16 calls)
        while _rows(out / "run.sqlite") < 24:
            assert proc.poll() is None, "the attack ended before it could be killed"
            assert time.monotonic() < deadline, "the attack never got going"
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    killed = _lines(calls_file)
    assert 24 <= len(killed) < PLANNED
    assert not (out / "results.json").exists()

    done = subprocess.run(args, env={**os.environ}, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    every = _lines(calls_file)
    assert len(every) == PLANNED  # the calls of both runs together: each exactly once
    assert len(set(every)) == PLANNED
    check_complete(_results(out))
    assert f"{PLANNED - len(killed)} new and {len(killed)} reused" in " ".join(
        done.stderr.split())
