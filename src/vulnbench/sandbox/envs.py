"""Per-task runtime environments: public benchmarks pin their own libraries (``Flask==2.3.3``,
``pycryptodome``, ``django``), which the one shared runtime cannot all hold. Each distinct
requirement set gets a virtual environment of its own, built once with ``uv`` on the interpreter
of the shared runtime, cached by the hash of (normalized requirements, interpreter, platform)
and mounted read-only into the sandbox in place of the shared runtime.

A build runs in a temporary directory renamed into place when complete (a half-built
environment is never seen) under a file lock (two runs never build the same one twice). A pin
that does not install on this interpreter (``lxml==4.6.3`` has no wheel for Python 3.11 and no
longer compiles) is replaced by the nearest version that does, and the substitution is kept in
the environment's metadata and the run spec. An environment that cannot be built at all is our
failure, not the sample's: its samples end as ``runtime_error`` with the installer's message.

The cache lives under the user cache (``VULNBENCH_ENV_CACHE`` overrides); as root, whose home
the sandbox's unprivileged user cannot traverse, under ``/var/cache/vulnbench/envs``."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from vulnbench.errors import VulnbenchError
from vulnbench.records import EnvironmentSpec, Task, stable_hash
from vulnbench.sandbox.requirements import (
    Pin,
    RequirementError,
    normalize_requirements,
    parse,
    pinned,
)
from vulnbench.sandbox.runtime import Runtime, _world_traversable, find_runtime

if TYPE_CHECKING:
    from vulnbench.sandbox.base import Sandbox

FORMAT = 1  # bump when the way environments are built changes: old ones are not reused
META = "vulnbench-env.json"
ROOT_CACHE = Path("/var/cache/vulnbench/envs")
BUILD_TIMEOUT = 1800.0
MESSAGE_CAP = 1200


class EnvBuildError(VulnbenchError):
    """A task environment that cannot be built (the installer's message, trimmed)."""


def _normalized(requirements: Sequence[str]) -> tuple[str, ...]:
    try:
        return tuple(normalize_requirements(requirements))
    except RequirementError as err:
        raise EnvBuildError(f"task requirements: {err}") from err


@dataclass(frozen=True)
class Interpreter:
    """The interpreter task environments are built on: the shared runtime's base Python."""

    executable: str
    base_prefix: str
    version: str
    implementation: str
    platform: str


@cache
def base_interpreter() -> Interpreter:
    runtime = find_runtime().python
    probe = subprocess.run(
        [runtime, "-I", "-c", "import json, platform, sys, sysconfig; print(json.dumps(["
         "getattr(sys, '_base_executable', sys.executable), sys.base_prefix, "
         "platform.python_version(), sys.implementation.name, sysconfig.get_platform()]))"],
        capture_output=True, text=True, timeout=60, check=False)
    if probe.returncode != 0:
        raise EnvBuildError(f"cannot run the runtime interpreter {runtime}: "
                            f"{probe.stderr.strip()[-300:]}")
    exe, base, version, impl, plat = json.loads(probe.stdout)
    return Interpreter(exe, base, version, impl, plat)


def env_cache_dir() -> Path:
    """Where environments live: ``VULNBENCH_ENV_CACHE``, else the user cache; as root, a
    place the sandbox's unprivileged user can traverse."""
    override = os.environ.get("VULNBENCH_ENV_CACHE")
    if override:
        return Path(override)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    home = base / "vulnbench" / "envs"
    if os.geteuid() == 0 and not _traversable(home):
        return ROOT_CACHE
    return home


def _traversable(path: Path) -> bool:
    """Whether others can traverse ``path`` (judged on its nearest existing ancestor for the
    part that does not exist yet: folders made later get mode 0755)."""
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return _world_traversable(probe)


@dataclass(frozen=True)
class TaskEnv:
    key: str
    path: Path
    requirements: tuple[str, ...]
    interpreter: Interpreter
    substitutions: dict[str, str] = field(default_factory=dict)

    @property
    def runtime(self) -> Runtime:
        return Runtime(str(self.path / "bin" / "python"),
                       tuple(sorted({str(self.path), self.interpreter.base_prefix})))


def env_key(requirements: Sequence[str], interpreter: Interpreter) -> str:
    return stable_hash({"format": FORMAT, "requirements": list(requirements),
                        "python": [interpreter.implementation, interpreter.version,
                                   interpreter.executable], "platform": interpreter.platform})


def find_uv() -> str:
    try:
        import uv

        return str(uv.find_uv_bin())
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if found:
            return found
    raise EnvBuildError("task environments need uv: pip install uv")


def trim_message(text: str, cap: int = MESSAGE_CAP) -> str:
    """The installer's error without its progress lines and with only the last lines of each
    build log it quotes (``[stdout]``/``[stderr]`` sections: hundreds of compiler lines)."""
    lines: list[str] = []
    log: list[str] | None = None
    indent = ""
    for line in text.splitlines():
        if log is not None and (not line.strip() or line.startswith(indent)):
            log.append(line)
            continue
        if log is not None:
            lines += [f"{indent}...", *[x[:240] for x in log if x.strip()][-2:]]
            log = None
        if line.strip() in ("[stdout]", "[stderr]"):
            log, indent = [], line[:len(line) - len(line.lstrip())]
        elif line.strip() and not line.startswith(
                ("Using Python", "Resolved ", "Prepared ", "   Building", "Would ")):
            lines.append(line.rstrip())
    if log:
        lines += [f"{indent}...", *[x[:240] for x in log if x.strip()][-2:]]
    message = "\n".join(lines) or text.strip()
    return message if len(message) <= cap else message[:cap - 200] + "\n...\n" + message[-180:]


_BLAMED = [re.compile(p) for p in (
    r"failed to (?:build|download and build|download)[^`\n]*`([a-z0-9._-]+)(?:\[[^\]]*\])?==",
    r"no version of ([a-z0-9._-]+)==",
    r"([a-z0-9._-]+)==\S+ depends on python",
    r"([a-z0-9._-]+)==\S+ has no wheels",
    r"`([a-z0-9._-]+)` \(v[^)]+\) depends on `",  # uv: 'X was included because `Y` (vN) ...'
)]


def blamed(message: str) -> list[str]:
    """Distribution names the installer's message blames for not installing here, in order."""
    text = message.lower()
    found = [(m.start(), m.group(1).replace("_", "-").replace(".", "-"))
             for pattern in _BLAMED for m in pattern.finditer(text)]
    return list(dict.fromkeys(name for _, name in sorted(found)))


class EnvCache:
    """Task environments under one cache directory; builds what is missing, once."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or env_cache_dir()
        self._lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}
        self._ready: dict[str, TaskEnv] = {}
        self._failed: dict[str, str] = {}  # in this process only: the network may come back

    def ensure(self, requirements: Sequence[str]) -> TaskEnv:
        """The environment for ``requirements``, built if it is not cached yet."""
        reqs = _normalized(requirements)
        interp = base_interpreter()
        key = env_key(reqs, interp)
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            if key in self._ready:
                return self._ready[key]
            if key in self._failed:
                raise EnvBuildError(self._failed[key])
            try:
                env = self._load(key, reqs, interp) or self._build_locked(key, reqs, interp)
            except EnvBuildError as err:
                self._failed[key] = str(err)
                raise
            self._ready[key] = env
            return env

    def lookup(self, requirements: Sequence[str]) -> tuple[TaskEnv | None, str]:
        """The environment if it is built, else why not (without building it)."""
        reqs = _normalized(requirements)
        interp = base_interpreter()
        key = env_key(reqs, interp)
        env = self._ready.get(key) or self._load(key, reqs, interp)
        return env, "" if env else self._failed.get(key, "not built")

    def path(self, key: str) -> Path:
        return self.root / key[:24]

    def _load(self, key: str, reqs: tuple[str, ...], interp: Interpreter) -> TaskEnv | None:
        path = self.path(key)
        try:
            meta = json.loads((path / META).read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if meta.get("key") != key or not (path / "bin" / "python").exists():
            return None
        return TaskEnv(key, path, reqs, interp, dict(meta.get("substitutions", {})))

    def _build_locked(self, key: str, reqs: tuple[str, ...], interp: Interpreter) -> TaskEnv:
        self.root.mkdir(parents=True, exist_ok=True, mode=0o755)
        with _file_lock(self.root / f".{key[:24]}.lock"):
            env = self._load(key, reqs, interp)  # another process built it while we waited
            if env:
                return env
            final = self.path(key)
            for stale in [*self.root.glob(f".tmp-{key[:24]}-*"), final]:
                shutil.rmtree(stale, ignore_errors=True)  # a crashed build, or a broken one
            tmp = self.root / f".tmp-{key[:24]}-{uuid.uuid4().hex[:8]}"
            try:
                return self._build(key, reqs, interp, tmp, final)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)

    def _build(self, key: str, reqs: tuple[str, ...], interp: Interpreter, tmp: Path,
               final: Path) -> TaskEnv:
        started = time.monotonic()
        builder = _Builder(find_uv(), interp, tmp)
        asked, substitutions, reasons = builder.install(list(reqs))
        freeze = builder.uv("pip", "freeze", "--python", builder.python)
        meta = {"key": key, "format": FORMAT, "requirements": list(reqs),
                "installed_from": asked, "installed": freeze.stdout.split(),
                "substitutions": substitutions,
                "substitution_reasons": reasons, "python": interp.version,
                "implementation": interp.implementation, "interpreter": interp.executable,
                "platform": interp.platform, "uv": builder.uv("--version").stdout.strip(),
                "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "build_seconds": round(time.monotonic() - started, 2)}
        (tmp / META).write_text(json.dumps(meta, indent=2) + "\n", "utf-8")
        _world_readable(tmp)
        os.rename(tmp, final)
        return TaskEnv(key, final, reqs, interp, substitutions)


class _Builder:
    """One build: install the requirements into a fresh venv, substituting pins that do not
    install on this interpreter."""

    ATTEMPTS = 12

    def __init__(self, uv: str, interp: Interpreter, path: Path) -> None:
        self.uv_bin, self.interp, self.path = uv, interp, path
        self.python = str(path / "bin" / "python")
        self._probes: dict[tuple[str, str, bool, bool], str | None] = {}

    def uv(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "NO_COLOR": "1", "UV_NO_PROGRESS": "1",
               "UV_PYTHON_DOWNLOADS": "never"}
        try:
            return subprocess.run([self.uv_bin, *args], capture_output=True, text=True,
                                  env=env, cwd=self.path.parent, timeout=BUILD_TIMEOUT,
                                  check=False)
        except subprocess.TimeoutExpired as err:
            raise EnvBuildError(f"uv {' '.join(args[:2])} took over {BUILD_TIMEOUT:g}s") from err

    def _fresh_venv(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        made = self.uv("venv", "--quiet", "--no-config", "--relocatable", "--python",
                       self.interp.executable, str(self.path))
        if made.returncode != 0:
            raise EnvBuildError(f"uv venv failed: {trim_message(made.stderr)}")

    def install(self, reqs: list[str]
                ) -> tuple[list[str], dict[str, str], dict[str, str]]:
        """Install; on a failure the installer blames on a pin, move that pin to the nearest
        version that installs and try again. What was installed, substitutions, reasons."""
        current = {pin.name: pin for pin in map(parse, reqs)}
        originals = {name: pin for name, pin in current.items() if pinned(pin)}
        tried: dict[str, set[str]] = {}
        reasons: dict[str, str] = {}
        first_error = ""
        for _ in range(self.ATTEMPTS):
            self._fresh_venv()
            done = self.uv("pip", "install", "--no-config", "--compile-bytecode", "--python",
                           self.python, *[str(p) for p in current.values()])
            if done.returncode == 0:
                subs = {str(originals[n]): str(current[n]) for n in originals
                        if current[n] != originals[n]}
                return [str(p) for p in current.values()], subs, \
                    {k: v for k, v in reasons.items() if k in subs}
            error = trim_message(done.stderr)
            first_error = first_error or error
            culprit = next((n for n in blamed(done.stderr) if n in originals), None)
            if culprit is None:
                raise EnvBuildError(error)
            original = originals[culprit]
            seen = tried.setdefault(culprit, {original.version})
            seen.add(current[culprit].version)
            version = self._nearest(original, seen)
            if version is None:
                raise EnvBuildError(f"no version of {original.name} installs on "
                                    f"{self.interp.implementation} {self.interp.version} "
                                    f"(pinned {original}):\n{error}")
            reasons.setdefault(str(original), error.splitlines()[0][:300])
            current[culprit] = original.with_version(version)
        raise EnvBuildError(f"gave up after {self.ATTEMPTS} attempts:\n{first_error}")

    def _nearest(self, pin: Pin, seen: set[str]) -> str | None:
        """The nearest version of ``pin`` with a wheel for this interpreter: the same minor
        (above, then below), the same major (likewise), then the newest; the newest sdist
        last."""
        major, minor = pin.release(2)
        tiers = [(f">{pin.version},=={major}.{minor}.*", True, True),
                 (f"<{pin.version},=={major}.{minor}.*", False, True),
                 (f">{pin.version},=={major}.*", True, True),
                 (f"<{pin.version},=={major}.*", False, True),
                 ("", False, True), ("", False, False)]
        for spec, lowest, binary in tiers:
            version = self._probe(pin, spec, lowest, binary)
            if version is not None and version not in seen:
                return version
        return None

    def _probe(self, pin: Pin, spec: str, lowest: bool, binary: bool) -> str | None:
        """The version a resolution of ``pin``'s name within ``spec`` picks (dry run)."""
        key = (pin.name, spec, lowest, binary)
        if key not in self._probes:
            args = ["pip", "install", "--dry-run", "--no-config", "--python", self.python,
                    "--resolution", "lowest-direct" if lowest else "highest"]
            if binary:
                args += ["--only-binary", pin.name]
            out = self.uv(*args, pin.with_spec(spec))
            found = re.search(rf"^ \+ {re.escape(pin.name)}==(\S+)\s*$",
                              out.stdout + out.stderr, re.MULTILINE | re.IGNORECASE)
            self._probes[key] = found.group(1) if out.returncode == 0 and found else None
        return self._probes[key]


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with open(path, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _world_readable(root: Path) -> None:
    """Readable (and folders traversable) by the sandbox's unprivileged user, writable by
    nobody but the owner (uv leaves a mode 0666 ``.lock``)."""
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = os.path.join(folder, name)
            if os.path.islink(path):
                continue
            mode = os.stat(path).st_mode
            want = (mode | (0o555 if name in dirs else 0o444)) & ~0o022
            if want != mode:
                os.chmod(path, want)
    os.chmod(root, (os.stat(root).st_mode | 0o555) & ~0o022)


_CACHES: dict[Path, EnvCache] = {}
_CACHES_LOCK = threading.Lock()


def default_cache() -> EnvCache:
    root = env_cache_dir()
    with _CACHES_LOCK:
        return _CACHES.setdefault(root, EnvCache(root))


def task_runtime(task: Task, sandbox: Sandbox | None = None) -> Runtime | None:
    """The runtime a task's tests run in: its own environment when it has requirements (built
    if needed), else None (the shared runtime)."""
    if not task.requirements:
        return None
    if sandbox is not None and not sandbox.supports_environments:
        raise EnvBuildError(f"the {sandbox.name} sandbox cannot run tasks with requirements "
                            "of their own; use --sandbox bwrap")
    return default_cache().ensure(task.requirements).runtime


def environment_specs(tasks: Iterable[Task]) -> list[EnvironmentSpec]:
    """The environments the tasks use, for the run spec (nothing is built here)."""
    groups: dict[tuple[str, ...], list[str]] = {}
    specs = []
    for task in tasks:
        if not task.requirements:
            continue
        try:
            groups.setdefault(_normalized(task.requirements), []).append(task.id)
        except EnvBuildError as err:
            specs.append(EnvironmentSpec(id="", requirements=list(task.requirements),
                                         tasks=[task.id], error=str(err)))
    if not groups:
        return specs
    try:
        interp = base_interpreter()
    except EnvBuildError as err:
        return specs + [EnvironmentSpec(id="", requirements=list(reqs), tasks=ids,
                                        error=str(err)) for reqs, ids in groups.items()]
    cache_ = default_cache()
    for reqs, ids in groups.items():
        env, why = cache_.lookup(reqs)
        specs.append(EnvironmentSpec(
            id=env_key(reqs, interp)[:24], requirements=list(reqs),
            python=f"{interp.implementation} {interp.version} {interp.platform}",
            substitutions=env.substitutions if env else {}, tasks=ids,
            error="" if env else why))
    return specs
