"""Runs INSIDE the sandbox (standard library only), imported by the zygote: for each test file,
fork a child that imports it and calls every ``test_*`` function, each under its own alarm, and
collect one result per test. Forking per file keeps the functional suite's module state away
from the security suite. The test sources are read before any sample code runs, so a sample
cannot rewrite the tests of a later suite."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import sys
import traceback
import types
from typing import Any

PER_TEST_SECONDS = int(os.environ.get("VB_TEST_SECONDS", "10"))

Result = dict[str, str]


def _alarm(signum: int, frame: Any) -> None:
    raise TimeoutError("test exceeded its time limit")


def run_file(path: str, source: str | None = None) -> list[Result]:
    """Import the test file (from ``source`` when given, else from disk) and run its tests."""
    name = os.path.splitext(os.path.basename(path))[0]
    results: list[Result] = []
    signal.signal(signal.SIGALRM, _alarm)
    try:
        signal.alarm(PER_TEST_SECONDS)
        if source is None:
            with open(path, encoding="utf-8") as fh:
                source = fh.read()
        module = types.ModuleType(name)
        module.__file__ = os.path.abspath(path)
        sys.modules[name] = module
        exec(compile(source, path, "exec"), module.__dict__)
        signal.alarm(0)
    except BaseException as err:  # the candidate may raise anything, SystemExit included
        signal.alarm(0)
        status = "timeout" if isinstance(err, TimeoutError) else "error"
        return [{"name": "<import>", "status": status, "detail": _detail(err)}]
    tests = [(n, f) for n, f in vars(module).items() if n.startswith("test_") and callable(f)]
    for test_name, func in tests:
        try:
            signal.alarm(PER_TEST_SECONDS)
            func()
            signal.alarm(0)
            results.append({"name": test_name, "status": "passed", "detail": ""})
        except AssertionError as err:
            signal.alarm(0)
            results.append({"name": test_name, "status": "failed", "detail": _detail(err)})
        except BaseException as err:
            signal.alarm(0)
            status = "timeout" if isinstance(err, TimeoutError) else "error"
            results.append({"name": test_name, "status": status, "detail": _detail(err)})
    return results


def _detail(err: BaseException) -> str:
    try:
        text = "".join(traceback.format_exception_only(type(err), err)).strip()
    except BaseException:
        text = type(err).__name__
    return text[-800:]


def _child(path: str, source: str | None, write_fd: int, close_fds: tuple[int, ...]) -> None:
    """The forked child: run one file, send its results up the pipe, never return (whatever
    the sample did to the pipe or the streams). ``close_fds`` are the harness's own channels,
    closed before any sample code runs so that the sample cannot write to them."""
    try:
        for fd in close_fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(BaseException):
            try:
                payload = json.dumps(run_file(path, source)).encode()
            except BaseException as err:
                payload = json.dumps([{"name": "<harness>", "status": "error",
                                       "detail": _detail(err)}]).encode()
            with os.fdopen(write_fd, "wb") as fh:
                fh.write(payload)
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(BaseException):
                stream.flush()
        os._exit(0)


def preload(modules: list[str]) -> None:
    """Import the task's runtime libraries once, before any sample code runs, so that every
    forked sample and suite shares them instead of importing them again."""
    for name in modules:  # a library that fails to import shows up in the tests themselves
        with contextlib.suppress(Exception):
            __import__(name)


def _collect(read_fd: int, pid: int) -> tuple[bytes, int]:
    """Read the suite child's results until it has exited and the pipe is drained: a process
    the sample left behind may hold the pipe open, so EOF alone could be far away."""
    chunks: list[bytes] = []
    wait_status: int | None = None
    try:
        while True:
            ready, _, _ = select.select([read_fd], [], [], 0.02)
            if ready:
                chunk = os.read(read_fd, 65536)
                if not chunk:
                    break
                chunks.append(chunk)
            elif wait_status is not None:
                break  # exited, and nothing more is waiting in the pipe
            if wait_status is None:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    wait_status = status
    finally:
        os.close(read_fd)
    if wait_status is None:
        _, wait_status = os.waitpid(pid, 0)
    return b"".join(chunks), wait_status


def run_suites(sources: dict[str, str | None],
               close_fds: tuple[int, ...] = ()) -> dict[str, list[Result]]:
    """Run each test file (name -> source read before any sample code ran) in its own forked
    child; results per file name."""
    out: dict[str, list[Result]] = {}
    for path, source in sources.items():
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            _child(path, source, write_fd, close_fds)
        os.close(write_fd)
        data, wait_status = _collect(read_fd, pid)
        try:
            out[path] = json.loads(data)
        except ValueError:
            code = os.waitstatus_to_exitcode(wait_status)
            out[path] = [{"name": "<process>", "status": "error",
                          "detail": f"test process died (exit {code}) before reporting"}]
    return out
