"""Runs INSIDE the sandbox (standard library only): one warm interpreter per batch of samples of
the same task. It imports the task's runtime libraries once, then for each sample resets the
sandbox to its starting state, writes the sample beside the task's tests, forks a child that runs
the suites (``_vb_harness``), and reports one JSON line per sample on its original stdout, which
only the zygote holds (samples write to /dev/null instead).

Samples never see each other: between two samples every other process in the sandbox is killed
and the work dir, ``/tmp``, ``/dev/shm`` and System V IPC objects are emptied; when a reset
cannot be verified the zygote stops and the host runs the rest elsewhere. Where the backend caps
those mounts (``--disk``), the zygote watches them while a sample runs (``_vb_guard``): a sample
that creates more files than allowed is stopped, and each report carries the peak use of each
mount, so the host can say which cap a sample reached; the reset frees the space for the next.

Why this is safe only with ``--isolated`` (a private pid namespace, ``/tmp`` and ``/dev``): the
reset kills every process it may signal (``kill(-1)``) and wipes ``/tmp``. Without it (the
unisolated ``subprocess`` backend) only the sample's own session is killed and only the work dir
is wiped."""

from __future__ import annotations

import argparse
import base64
import contextlib
import ctypes
import importlib
import json
import os
import select
import shutil
import signal
import stat
import sys
import time
from typing import Any

BATCH_FILE = "_vb_batch.json"
PR_SET_DUMPABLE = 4
IPC_RMID = 0
REAP_TRIES = 400


def _send(out: Any, message: dict[str, object]) -> None:
    out.write(json.dumps(message) + "\n")
    out.flush()


def _set_dumpable(flag: int) -> None:
    """0 for the zygote: no ptrace and no ``/proc/<zygote>/fd`` for samples running as the
    same user, so the result pipe stays out of their reach; 1 again in each sample's child."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_DUMPABLE, flag, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE) failed")


def _other_pids() -> list[int]:
    me = os.getpid()
    return [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, me)]


def _reap() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _kill_all(isolated: bool, session: int | None) -> str | None:
    """Kill what the last sample left running; a reason when some process survives."""
    for _ in range(REAP_TRIES):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if isolated:
                os.kill(-1, signal.SIGKILL)  # all but pid 1 (bwrap) and ourselves
            elif session is not None:
                os.killpg(session, signal.SIGKILL)
        _reap()
        if not isolated or not _other_pids():
            return None
        time.sleep(0.005)
    return f"processes survive the reset: {_other_pids()[:5]}"


def mount_points() -> frozenset[str]:
    """Where the sandbox has mounts (read when the zygote starts; samples cannot mount): a
    runtime living under /tmp on the host is mounted at its own path inside the sandbox's /tmp,
    so emptying /tmp must leave those and the directories leading to them."""
    points = set()
    with contextlib.suppress(OSError), open("/proc/self/mountinfo", "rb") as fh:
        for line in fh:
            fields = line.split()
            if len(fields) > 4:
                points.add(fields[4].decode("unicode_escape"))  # octal escapes such as \040
    return frozenset(points)


def _holds_mount(path: str, mounts: frozenset[str]) -> bool:
    return path in mounts or any(m.startswith(path + "/") for m in mounts)


def empty(folder: str, mounts: frozenset[str] = frozenset()) -> str | None:
    """Remove everything inside ``folder`` but mount points and the directories leading to
    them (whose other contents go); writable again first: a sample may chmod 000."""
    def retry(func: Any, path: str, _exc: Any) -> None:
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(path), stat.S_IRWXU)
            os.chmod(path, stat.S_IRWXU)
        func(path)

    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return None
    for name in names:
        path = os.path.join(folder, name)
        if path in mounts:
            continue
        with contextlib.suppress(OSError):
            if _holds_mount(path, mounts):
                problem = empty(path, mounts)
                if problem:
                    return problem
            elif os.path.isdir(path) and not os.path.islink(path):
                with contextlib.suppress(OSError):
                    os.chmod(path, stat.S_IRWXU)
                shutil.rmtree(path, onerror=retry)
            else:
                os.unlink(path)
    left = [n for n in os.listdir(folder) if not _holds_mount(os.path.join(folder, n), mounts)]
    return f"cannot empty {folder}: {left[:5]}" if left else None


def _remove_sysv_ipc() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for kind in ("shm", "sem", "msg"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            with open(f"/proc/sysvipc/{kind}") as fh:
                rows = fh.read().splitlines()[1:]
            for row in rows:
                ident = int(row.split()[1])
                if kind == "shm":
                    libc.shmctl(ident, IPC_RMID, None)
                elif kind == "sem":
                    libc.semctl(ident, 0, IPC_RMID)
                else:
                    libc.msgctl(ident, IPC_RMID, None)


def reset(workdir: str, isolated: bool, session: int | None,
          mounts: frozenset[str] = frozenset()) -> str | None:
    """Bring the sandbox back to its starting state; a reason when that cannot be verified."""
    problem = _kill_all(isolated, session)
    if problem:
        return problem
    folders = [workdir, "/tmp", "/dev/shm"] if isolated else [workdir]
    for folder in folders:
        problem = empty(folder, mounts)
        if problem:
            return problem
    if isolated:
        _remove_sysv_ipc()
    return None


def lay_assets(assets: dict[str, str]) -> None:
    """Write the task's files (relative path -> base64 content) into the work dir: the reset
    before each sample removes them with everything else, so every sample gets them anew."""
    for name, data in assets.items():
        folder = os.path.dirname(name)
        if folder:
            os.makedirs(folder, exist_ok=True)
        with open(name, "wb") as fh:
            fh.write(base64.b64decode(data))


def _run_sample(harness: Any, files: dict[str, str], suites: list[str], results_fd: int,
                seconds: float, watch: Any = None) -> tuple[dict[str, object], int]:
    """Fork the per-sample child; its suites' results, or why there are none. ``watch``
    (a ``_vb_guard.DiskWatch``) is polled while the child runs: past its file cap, every
    process of the sample is killed and each suite gets one error naming the cap."""
    for name, content in files.items():
        with open(name, "w", encoding="utf-8", errors="surrogatepass") as fh:
            fh.write(content)
    sources: dict[str, str | None] = {name: files.get(name) for name in suites}
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the per-sample child: trusted code until the suites' children start
        try:
            os.close(read_fd)
            os.close(results_fd)
            os.setsid()
            _set_dumpable(1)
            data = json.dumps(harness.run_suites(sources, close_fds=(write_fd,))).encode()
            view = memoryview(data)
            while view:
                view = view[os.write(write_fd, view):]
        finally:
            os._exit(0)
    os.close(write_fd)
    chunks: list[bytes] = []
    deadline = time.monotonic() + seconds
    timed_out = False
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        stopped = watch.poll() if watch is not None else None
        if stopped:
            os.close(read_fd)
            _kill_all(True, None)  # watched only when isolated
            error = {"name": "<disk>", "status": "error", "detail": stopped}
            return {"status": "ok", "results": {name: [error] for name in suites}}, pid
        ready, _, _ = select.select([read_fd], [], [], min(left, 0.05) if watch else left)
        if ready:
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    os.close(read_fd)
    if timed_out:
        return {"status": "timeout", "detail": f"no result within {seconds:g}s"}, pid
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)  # the child has finished: stop what the sample left
    _, wait_status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(wait_status)
    try:
        results = json.loads(b"".join(chunks))
    except ValueError:
        results = None
    if code != 0 or not isinstance(results, dict):
        return {"status": "error", "detail": f"test harness died (exit {code})"}, pid
    return {"status": "ok", "results": results}, pid


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--preload", default="")
    parser.add_argument("--solution", required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--isolated", action="store_true")
    parser.add_argument("--disk", default="{}", help="capped mount -> bytes (JSON)")
    parser.add_argument("--disk-files", type=int, default=0)
    parser.add_argument("suites", nargs="+")
    args = parser.parse_args()
    workdir = os.getcwd()
    results_fd = os.dup(1)  # not inheritable: forked samples get /dev/null as stdout
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.close(null)
    out = os.fdopen(results_fd, "w", encoding="utf-8", errors="surrogatepass")
    if args.isolated and 1 not in (os.getpid(), os.getppid()):
        _send(out, {"abort": "--isolated, but not in a private pid namespace"})
        return
    sys.path.insert(0, workdir)
    harness = importlib.import_module("_vb_harness")  # read before the work dir is wiped
    caps = json.loads(args.disk)
    watch = importlib.import_module("_vb_guard").DiskWatch(caps, args.disk_files) \
        if caps and args.isolated else None
    with open(BATCH_FILE, encoding="utf-8", errors="surrogatepass") as fh:
        batch = json.load(fh)
    _set_dumpable(0)
    harness.preload([m for m in args.preload.split(",") if m])
    files: dict[str, str] = batch["files"]
    assets: dict[str, str] = batch.get("assets", {})
    session: int | None = None
    mounts = mount_points()
    for index, code in enumerate(batch["codes"]):
        problem = reset(workdir, args.isolated, session, mounts)
        if problem:
            _send(out, {"abort": problem})
            return
        _send(out, {"start": index})
        if watch is not None:
            watch.restart()
        try:
            lay_assets(assets)
        except (OSError, ValueError) as err:
            _send(out, {"index": index, "status": "error", "detail": f"task files: {err}"})
            continue
        result, session = _run_sample(harness, {**files, args.solution: code}, args.suites,
                                      results_fd, args.seconds, watch)
        if watch is not None:  # before the reset: what the sample left counts too
            result["disk"] = watch.report()
        _send(out, {"index": index, **result})
    reset(workdir, args.isolated, session, mounts)


if __name__ == "__main__":
    main()
