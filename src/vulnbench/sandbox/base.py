"""The sandbox interface: run a command over a private work dir with limits, and say how it
ended. Backends differ in isolation, never in this contract."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

from vulnbench.sandbox.runtime import Runtime, find_runtime

RunStatus = Literal["ok", "timeout", "oom", "killed", "error"]
OUTPUT_CAP = 1 << 20


@dataclass(frozen=True)
class Limits:
    wall_seconds: float = 30.0
    cpu_seconds: int = 20
    memory_mb: int = 2048
    file_size_mb: int = 64
    open_files: int = 256
    processes: int = 256
    output_bytes: int = OUTPUT_CAP
    # disk caps per sandbox (0: none), where the backend enforces them (bwrap: size-capped
    # tmpfs mounts, backed by host RAM): /tmp, the work dir, /dev/shm, and files on each
    tmp_mb: int = 256
    workdir_mb: int = 256
    shm_mb: int = 64
    disk_files: int = 65536


@dataclass
class RunResult:
    status: RunStatus
    exit_code: int | None
    stdout: str
    stderr: str
    seconds: float
    files: dict[str, bytes] = field(default_factory=dict)
    truncated: bool = False
    disk: str = ""  # which disk cap the command reached, and how much it used (disk_note)


class Sandbox(ABC):
    name: str = ""
    isolated: bool = False
    # the command runs in its own pid namespace with private /tmp and /dev: it may kill every
    # process it sees and empty /tmp between two samples (zygote.py)
    private_pids: bool = False
    # can run a task in an environment of its own (a host directory mounted read-only); a
    # backend with its own image (docker) cannot
    supports_environments: bool = True

    @abstractmethod
    def protections(self) -> list[str]:
        """The protections this backend applies (recorded in the run spec)."""

    def disk_caps(self, limits: Limits) -> dict[str, int]:
        """Mount point inside the sandbox -> the bytes this backend lets it hold; empty when
        the backend enforces no disk cap of its own."""
        return {}

    @abstractmethod
    def wrap(self, argv: Sequence[str], workdir: Path, limits: Limits,
             runtime: Runtime | None = None) -> list[str]:
        """The host command line that runs ``argv`` inside this sandbox with cwd ``workdir``,
        with ``runtime`` (default: the shared task runtime) reachable inside."""

    def exit_signal(self, code: int | None) -> int | None:
        """The signal that ended the sandboxed command, judged from the host exit code
        (``-N`` from ``subprocess``); None when it exited normally."""
        return _signal_of(code)

    @contextmanager
    def host_user(self, runtime: Runtime | None = None) -> Iterator[int | None]:
        """Host uid (and gid) to run one sandboxed command as, for its duration; None keeps
        the caller's."""
        yield None

    def python(self, runtime: Runtime | None = None) -> str:
        """The interpreter for Python samples: ``runtime``'s (a task's own environment), else
        the shared task runtime's."""
        return (runtime or find_runtime()).python

    def run(self, argv: Sequence[str], files: Mapping[str, str | bytes], limits: Limits,
            collect: Sequence[str] = (), runtime: Runtime | None = None,
            guard: bool = True) -> RunResult:
        """Write ``files`` into a fresh work dir, run ``argv`` there with ``runtime`` (default:
        the shared task runtime) mounted, return the result and the contents of the
        ``collect`` files afterwards. The work dir is removed. ``guard=False``: the command
        watches the disk caps itself (the zygote), where a backend would otherwise do it."""
        with tempfile.TemporaryDirectory(prefix="vb-sbx-", ignore_cleanup_errors=True) as tmp:
            workdir = Path(tmp)
            for name, content in files.items():
                path = workdir / name
                path.parent.mkdir(parents=True, exist_ok=True)
                if isinstance(content, bytes):
                    path.write_bytes(content)
                else:
                    path.write_text(content, encoding="utf-8")
            os.chmod(workdir, 0o777)
            with self.host_user(runtime) as user:
                result = run_limited(self.wrap(argv, workdir, limits, runtime), workdir, limits,
                                     rlimits(limits), signal_of=self.exit_signal, user=user)
            for name in collect:
                path = workdir / name
                if path.is_file() and not path.is_symlink():
                    with contextlib.suppress(OSError), path.open("rb") as fh:
                        result.files[name] = fh.read(limits.output_bytes)
            return result


def rlimits(limits: Limits) -> Callable[[], None]:
    def apply() -> None:
        mb = 1 << 20
        # 0 = unlimited: sanitizers reserve terabytes of address space they never touch
        address_space = limits.memory_mb * mb or resource.RLIM_INFINITY
        for res, soft, hard in (
            # a hard CPU limit above the soft one: SIGXCPU (read as a timeout) comes first,
            # SIGKILL only if the process ignores it
            (resource.RLIMIT_CPU, limits.cpu_seconds, limits.cpu_seconds + 1),
            (resource.RLIMIT_AS, address_space, address_space),
            (resource.RLIMIT_FSIZE, limits.file_size_mb * mb, limits.file_size_mb * mb),
            (resource.RLIMIT_NOFILE, limits.open_files, limits.open_files),
            (resource.RLIMIT_NPROC, limits.processes, limits.processes),
            (resource.RLIMIT_CORE, 0, 0),
        ):
            current = resource.getrlimit(res)[1]
            if current != resource.RLIM_INFINITY:  # cannot raise above the inherited hard limit
                hard = min(hard, current)
            resource.setrlimit(res, (min(soft, hard), hard))

    return apply


def drain(stream: IO[bytes], cap: int, sink: list[bytes], flags: list[bool]) -> None:
    """Read everything (so the writer never blocks) but keep only the first ``cap`` bytes."""
    kept = 0
    while chunk := stream.read(65536):
        room = max(cap - kept, 0)
        if room:
            sink.append(chunk[:room])
            kept += len(sink[-1])
        if len(chunk) > room:
            flags.append(True)


def run_limited(cmd: Sequence[str], cwd: Path, limits: Limits,
                preexec: Callable[[], None] | None, *,
                signal_of: Callable[[int | None], int | None] | None = None,
                user: int | None = None, pass_fds: Sequence[int] = ()) -> RunResult:
    """Run ``cmd`` in its own session; on wall-clock timeout kill the whole process group.
    ``signal_of`` reads a signal death from the exit code (wrappers such as bwrap report
    ``128 + N`` rather than ``-N``); ``pass_fds`` stay open in the command."""
    start = time.monotonic()
    try:
        proc = subprocess.Popen(
            list(cmd), cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, start_new_session=True, preexec_fn=preexec,
            user=user, group=user, extra_groups=[] if user is not None else None,
            pass_fds=tuple(pass_fds),
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        )
    except (OSError, subprocess.SubprocessError) as err:
        return RunResult("error", None, "", f"cannot start sandbox: {err}", 0.0)
    out: list[bytes] = []
    err_: list[bytes] = []
    flags: list[bool] = []
    assert proc.stdout is not None and proc.stderr is not None
    readers = [threading.Thread(target=drain, args=(proc.stdout, limits.output_bytes, out,
                                                     flags), daemon=True),
               threading.Thread(target=drain, args=(proc.stderr, limits.output_bytes, err_,
                                                     flags), daemon=True)]
    for r in readers:
        r.start()
    timed_out = False
    try:
        proc.wait(timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        timed_out = True
    finally:  # also on Ctrl-C: nothing of the sandbox outlives the call
        _kill_group(proc)
    for r in readers:
        r.join(timeout=5)
    seconds = time.monotonic() - start
    code = proc.returncode
    stderr = b"".join(err_).decode("utf-8", "replace")
    if timed_out:
        status: RunStatus = "timeout"
    elif (sig := (signal_of or _signal_of)(code)) is not None:
        status = "timeout" if sig == signal.SIGXCPU else "killed"
        if sig == signal.SIGKILL and "MemoryError" in stderr:
            status = "oom"
    elif "MemoryError" in stderr or "std::bad_alloc" in stderr:
        status = "oom"
    else:
        status = "ok"
    return RunResult(status, code, b"".join(out).decode("utf-8", "replace"), stderr, seconds,
                     truncated=bool(flags))


def disk_note(report: Mapping[str, Mapping[str, int]], stopped: str = "") -> str:
    """Which disk caps a run reached, from the peak use the guard saw (``guard.py``): e.g.
    ``disk cap reached: /tmp 256 MiB (268435456 bytes used)``; empty when none was."""
    reached = []
    for mount, seen in report.items():
        cap, used = int(seen.get("cap", 0)), int(seen.get("bytes", 0))
        # tmpfs fills to its last page: within 1% (at most 1 MiB) of the cap is at the cap
        if cap and used >= cap - min(1 << 20, cap // 100):
            reached.append(f"{mount} {cap / (1 << 20):g} MiB ({used} bytes used)")
    notes = [stopped] if stopped else []
    if reached:
        notes.append("disk cap reached: " + ", ".join(reached))
    return "; ".join(notes)


def _signal_of(code: int | None) -> int | None:
    return -code if code is not None and code < 0 else None


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
