"""Two ``vulnbench run`` processes on one --out never make a model call twice: the second
refuses naming the holder, or with --wait reuses everything once the first has ended; a holder
killed with SIGKILL leaves no stale lock. Measured against a local OpenAI-compatible server
that counts requests and holds its answers until the test lets them go, so the two runs
overlap however slowly they start."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

VULNBENCH = [sys.executable, "-m", "vulnbench.cli.main"]
SAMPLES = 12  # 4 tasks x n=3
HOLD = 60.0  # seconds an answer waits for the gate at most (a broken run must still end)


class CountingServer:
    """OpenAI-shaped completions on 127.0.0.1; counts every request; answers only once
    ``gate`` is set."""

    def __init__(self) -> None:
        self.count = 0
        self.gate = threading.Event()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with server._lock:
                    server.count += 1
                server.gate.wait(HOLD)
                data = json.dumps({
                    "id": "c", "object": "text_completion", "created": 1, "model": "m",
                    "choices": [{"text": "    return None\n", "index": 0, "logprobs": None,
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 3, "completion_tokens": 4,
                              "total_tokens": 7}}).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client was killed
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"


@pytest.fixture
def server() -> Iterator[CountingServer]:
    srv = CountingServer()
    yield srv
    srv.gate.set()
    srv.httpd.shutdown()
    srv.httpd.server_close()


class Run:
    """A ``vulnbench run`` subprocess whose stderr is collected as it comes."""

    def __init__(self, server: CountingServer, out: Path, *extra: str) -> None:
        args = ["run", "--out", str(out), "--model", "openai:fake", "--base-url", server.url,
                "--limit", "4", "--n", "3", "--temperature", "0", "--no-tests",
                "--analyzer", "bandit", "--no-progress", "--max-retries", "0", *extra]
        self.proc = subprocess.Popen(
            [*VULNBENCH, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "COLUMNS": "200", "OPENAI_API_KEY": "sk-test"})
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line)

    @property
    def stderr(self) -> str:
        return " ".join("".join(self.lines).split())

    def finish(self, timeout: float = 240) -> int:
        self.proc.wait(timeout=timeout)
        self._reader.join(10)
        return self.proc.returncode


def wait_until(condition: Any, what: str, seconds: float = HOLD) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def two_runs(server: CountingServer, out: Path, *extra: str) -> tuple[Run, Run]:
    first = Run(server, out, *extra)
    time.sleep(0.3)
    return first, Run(server, out, *extra)


def test_second_run_refuses_naming_the_holder(server: CountingServer, tmp_path: Path) -> None:
    out = tmp_path / "r"
    runs = two_runs(server, out)
    # answers wait until one process has ended: without a lock neither ends before HOLD,
    # and both go on to ask for every sample
    try:
        wait_until(lambda: any(r.proc.poll() is not None for r in runs), "a refusal", 30)
    finally:
        server.gate.set()
    codes = [r.finish() for r in runs]
    assert server.count == SAMPLES, [r.stderr for r in runs]
    assert sorted(codes) == [0, 2], [r.stderr for r in runs]
    holder, refused = runs if codes[0] == 0 else runs[::-1]
    assert f"{SAMPLES} new and 0 reused generations" in holder.stderr
    text = refused.stderr
    assert "Traceback" not in text
    assert (f"{out} is in use by pid {holder.proc.pid} on {socket.gethostname()} since "
            in text), text
    assert f"run --out {out} --model openai:fake" in text  # the holder's command
    assert "--wait" in text and "vulnbench report" in text

    # the lock went with its holder: report (no model call) and a rerun proceed
    report = subprocess.run([*VULNBENCH, "report", str(out)], capture_output=True, text=True,
                            env={**os.environ, "OPENAI_API_KEY": "sk-test"}, timeout=240,
                            check=False)
    assert report.returncode == 0, report.stderr
    assert server.count == SAMPLES


def test_wait_queues_behind_the_holder_and_reuses_everything(
        server: CountingServer, tmp_path: Path) -> None:
    runs = two_runs(server, tmp_path / "r", "--wait")
    # answers wait until one process says it waits for the other
    try:
        wait_until(lambda: any("waiting for pid" in r.stderr for r in runs), "a waiter", 30)
    finally:
        server.gate.set()
    codes = [r.finish() for r in runs]
    assert codes == [0, 0], [r.stderr for r in runs]
    assert server.count == SAMPLES
    waiter, holder = runs if "waiting for pid" in runs[0].stderr else runs[::-1]
    assert "waiting for pid" not in holder.stderr
    assert f"waiting for pid {holder.proc.pid} on {socket.gethostname()}" in waiter.stderr
    assert f"{SAMPLES} new and 0 reused generations" in holder.stderr
    assert f"0 new and {SAMPLES} reused generations" in waiter.stderr


def test_kill_9_leaves_no_stale_lock(server: CountingServer, tmp_path: Path) -> None:
    out = tmp_path / "r"
    holder = Run(server, out)
    wait_until(lambda: server.count > 0, "the first request")  # it holds the lock now
    # while it holds the directory, report says why it cannot run instead of racing it
    report = subprocess.run([*VULNBENCH, "report", str(out)], capture_output=True, text=True,
                            timeout=240, check=False)
    assert report.returncode == 2, report.stderr
    assert f"is in use by pid {holder.proc.pid}" in " ".join(report.stderr.split())
    os.kill(holder.proc.pid, signal.SIGKILL)
    holder.finish()
    asked = server.count  # unanswered: nothing was stored
    assert (out / ".lock").exists()  # the file stays; the lock itself died with its holder
    server.gate.set()
    start = time.monotonic()
    again = Run(server, out)
    assert again.finish() == 0, again.stderr
    assert f"{SAMPLES} new and 0 reused generations" in again.stderr
    assert "waiting" not in again.stderr and "in use" not in again.stderr
    assert server.count == asked + SAMPLES
    assert time.monotonic() - start < HOLD
