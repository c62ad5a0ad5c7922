"""Runs INSIDE the sandbox (standard library only): for each test file given, fork a child that
imports it and calls every ``test_*`` function, each under its own alarm, and write one JSON
result per test to ``_vb_results.json``. Forking per file keeps the functional suite's module
state away from the security suite. The test sources are read before any sample code runs, so a
sample cannot rewrite the tests of a later suite."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import traceback
import types
from typing import Any

PER_TEST_SECONDS = int(os.environ.get("VB_TEST_SECONDS", "10"))
RESULTS = "_vb_results.json"

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


def _child(path: str, source: str | None, write_fd: int) -> None:
    """The forked child: run one file, send its results up the pipe, never return (whatever
    the sample did to the pipe or the streams)."""
    try:
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


def _preload(modules: list[str]) -> None:
    """Import the task's runtime libraries once in the parent, before any sample code runs,
    so both forked suites share them instead of importing them twice."""
    for name in modules:  # a library that fails to import shows up in the tests themselves
        with contextlib.suppress(Exception):
            __import__(name)


def main() -> None:
    sys.path.insert(0, os.getcwd())
    args = sys.argv[1:]
    if args[:1] == ["--preload"]:
        _preload([m for m in args[1].split(",") if m])
        args = args[2:]
    sources: dict[str, str | None] = {}
    for path in args:
        try:
            with open(path, encoding="utf-8") as fh:
                sources[path] = fh.read()
        except OSError:
            sources[path] = None  # reported as an import error by the child
    out: dict[str, list[Result]] = {}
    for path in args:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            _child(path, sources[path], write_fd)
        os.close(write_fd)
        with os.fdopen(read_fd, "rb") as fh:
            data = fh.read()
        _, wait_status = os.waitpid(pid, 0)
        try:
            out[path] = json.loads(data)
        except ValueError:
            code = os.waitstatus_to_exitcode(wait_status)
            out[path] = [{"name": "<process>", "status": "error",
                          "detail": f"test process died (exit {code}) before reporting"}]
    with open(RESULTS, "w") as fh:
        json.dump(out, fh)


if __name__ == "__main__":
    main()
