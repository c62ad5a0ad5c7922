"""RunLock in one process: a second hold on a run directory is refused naming the first, a
waiter gets it when the first lets go, and run() takes it (a second run() on the same folder
from another thread of the same process is refused too)."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from pathlib import Path

import pytest

from vulnbench.models.base import BackendOptions
from vulnbench.pipeline import RunOptions, run
from vulnbench.store import RunLock, RunLockedError


def test_second_hold_is_refused_naming_the_first(tmp_path: Path) -> None:
    first = RunLock(tmp_path / "r")
    first.acquire()
    who = json.loads((tmp_path / "r" / ".lock").read_text())
    assert who["pid"] == os.getpid() and who["host"] == socket.gethostname()
    with pytest.raises(RunLockedError) as err:
        RunLock(tmp_path / "r").acquire()
    assert f"is in use by pid {os.getpid()} on {socket.gethostname()} since {who['since']}" \
        in str(err.value)
    first.release()
    again = RunLock(tmp_path / "r")
    again.acquire()  # released: free at once
    again.release()


def test_waiter_gets_the_lock_when_the_holder_lets_go(tmp_path: Path) -> None:
    holder = RunLock(tmp_path)
    holder.acquire()
    said: list[str] = []
    got = threading.Event()
    waiter = RunLock(tmp_path)

    def wait() -> None:
        waiter.acquire(wait=True, echo=said.append)
        got.set()

    thread = threading.Thread(target=wait, daemon=True)
    thread.start()
    time.sleep(0.3)
    assert not got.is_set()
    assert said and said[0].startswith(f"waiting for pid {os.getpid()}")
    holder.release()
    assert got.wait(10)
    thread.join(10)
    waiter.release()


def test_run_refuses_while_the_folder_is_held(tmp_path: Path) -> None:
    out = tmp_path / "r"
    held = RunLock(out)
    held.acquire()
    opts = RunOptions(out=out, models=["mock"], n=1, limit=1, progress=False,
                      run_tests=False, analyzers=[], backend=BackendOptions())
    with pytest.raises(RunLockedError, match="--wait"):
        run(opts, echo=lambda _: None)
    assert not (out / "run.sqlite").exists()  # refused before the store was touched
    held.release()
    assert run(opts, echo=lambda _: None).stats.new_generations == 1
