"""Runs INSIDE the sandbox (standard library only): watches the sandbox's size-capped mounts
(``/tmp``, the work dir, ``/dev/shm``: tmpfs mounts backed by host RAM).

The kernel enforces the byte caps (a write past one fails with ENOSPC), but not the number of
files: bwrap cannot set a tmpfs's ``nr_inodes``, and every empty file still costs the host about
a kilobyte of kernel memory. So the watch polls ``statvfs`` while a sample runs, stops the
sample once a mount holds more files than allowed, and reports the peak use of each mount, so
that a sample that hit a cap is recorded as having done so.

Imported by the zygote (which guards its samples itself); run as the sandboxed command's parent
for single runs (``python -I -S -c <this file> REPORT_FD CONFIG -- ARGV...``), where it also
copies the files the host wants back out of the sandbox (the work dir is not a host folder)."""

from __future__ import annotations

import base64
import contextlib
import ctypes
import json
import os
import signal
import stat
import sys
import time
from typing import Any

POLL_SECONDS = 0.05
PR_SET_DUMPABLE = 4


class DiskWatch:
    """Peak bytes and files on each capped mount since :meth:`restart`; the reason to stop
    when one holds more than ``max_files`` files (0: no file cap)."""

    def __init__(self, caps: dict[str, int], max_files: int = 0) -> None:
        self.caps = caps
        self.max_files = max_files
        self.peak: dict[str, list[int]] = {}
        self.restart()

    def restart(self) -> None:
        self.peak = {mount: [0, 0] for mount in self.caps}

    def poll(self) -> str | None:
        reason = None
        for mount, peak in self.peak.items():
            try:
                st = os.statvfs(mount)
            except OSError:
                continue
            used = (st.f_blocks - st.f_bfree) * st.f_frsize
            files = st.f_files - st.f_ffree
            peak[0], peak[1] = max(peak[0], used), max(peak[1], files)
            if self.max_files and files > self.max_files and reason is None:
                reason = f"file cap reached: {mount} {files} files (cap {self.max_files})"
        return reason

    def report(self) -> dict[str, dict[str, int]]:
        """Mount -> its cap and the peak bytes and files seen (for the host's verdict)."""
        self.poll()
        return {mount: {"cap": self.caps[mount], "bytes": peak[0], "files": peak[1]}
                for mount, peak in self.peak.items()}


def set_dumpable(flag: int) -> None:
    """0: no ptrace and no ``/proc/<pid>/fd`` for sandboxed code running as the same user."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_DUMPABLE, flag, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE) failed")


def kill_others() -> None:
    """Kill every process of the sandbox but its init (pid 1) and this one."""
    for _ in range(100):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(-1, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        if not [p for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, os.getpid())]:
            return
        time.sleep(0.005)


def collect(names: list[str], most: int) -> dict[str, str]:
    """The first ``most`` bytes of each named regular file of the work dir (never through a
    symlink), base64."""
    out = {}
    for name in names:
        with contextlib.suppress(OSError):
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            try:
                if stat.S_ISREG(os.fstat(fd).st_mode):
                    chunks, left = [], most
                    while left > 0 and (chunk := os.read(fd, min(left, 1 << 16))):
                        chunks.append(chunk)
                        left -= len(chunk)
                    out[name] = base64.b64encode(b"".join(chunks)).decode("ascii")
            finally:
                os.close(fd)
    return out


def supervise(report_fd: int, config: dict[str, Any], argv: list[str]) -> int:
    """Run ``argv`` as a child, guard the disk while it runs, then stop what it left, and send
    the disk report and the collected files to the host on ``report_fd`` (which the command
    never holds). The exit status is the command's (``128 + N`` for a signal, as bwrap's)."""
    if os.getppid() != 1:  # kill(-1) below is safe only in a private pid namespace
        os.write(2, b"guard: not in a private pid namespace\n")
        return 125
    set_dumpable(0)
    watch = DiskWatch({k: int(v) for k, v in config["caps"].items()}, int(config["files"]))
    pid = os.fork()
    if pid == 0:
        try:
            os.close(report_fd)
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    stopped = ""
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(status)
            break
        stopped = watch.poll() or ""
        if stopped:
            code = -signal.SIGKILL
            break
        time.sleep(POLL_SECONDS)
    kill_others()  # what the command left running, or all of it when stopped
    message = {"disk": watch.report(), "stopped": stopped,
               "files": collect(list(config.get("collect", [])), int(config.get("most", 0)))}
    data = memoryview(json.dumps(message).encode())
    with contextlib.suppress(OSError):
        while data:
            data = data[os.write(report_fd, data):]
    return 128 - code if code < 0 else code


if __name__ == "__main__":
    sys.exit(supervise(int(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[4:]))
