"""Runs INSIDE the sandbox (standard library only): for each test file given, fork a child that
imports it and calls every ``test_*`` function, each under its own alarm, and write one JSON
result per test to ``_vb_results.json``. Forking per file keeps the functional suite's module
state away from the security suite."""

import json
import os
import signal
import sys
import traceback

PER_TEST_SECONDS = int(os.environ.get("VB_TEST_SECONDS", "10"))


def _alarm(signum, frame):  # type: ignore[no-untyped-def]
    raise TimeoutError("test exceeded its time limit")


def run_file(path):  # type: ignore[no-untyped-def]
    import importlib.util

    name = os.path.splitext(os.path.basename(path))[0]
    results = []
    signal.signal(signal.SIGALRM, _alarm)
    try:
        signal.alarm(PER_TEST_SECONDS)
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        signal.alarm(0)
    except BaseException as err:  # noqa: BLE001 - the candidate may raise anything
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
        except BaseException as err:  # noqa: BLE001
            signal.alarm(0)
            status = "timeout" if isinstance(err, TimeoutError) else "error"
            results.append({"name": test_name, "status": status, "detail": _detail(err)})
    return results


def _detail(err):  # type: ignore[no-untyped-def]
    text = "".join(traceback.format_exception_only(type(err), err)).strip()
    return text[-800:]


def main():  # type: ignore[no-untyped-def]
    sys.path.insert(0, os.getcwd())
    out = {}
    for path in sys.argv[1:]:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            try:
                payload = json.dumps(run_file(path)).encode()
            except BaseException as err:  # noqa: BLE001
                payload = json.dumps([{"name": "<harness>", "status": "error",
                                       "detail": _detail(err)}]).encode()
            with os.fdopen(write_fd, "wb") as fh:
                fh.write(payload)
            os._exit(0)
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
    with open("_vb_results.json", "w") as fh:
        json.dump(out, fh)


if __name__ == "__main__":
    main()
