"""Hostile samples inside the sandboxes: every one ends as a status, never as a crash, and the
bwrap sandbox keeps them away from the host. Where it helps, the same sample is also run in the
unisolated subprocess sandbox as a control, so that the assertion is shown able to fail."""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from vulnbench.errors import UnknownNameError, VulnbenchError
from vulnbench.sandbox.backends import BwrapSandbox, SubprocessSandbox, create_sandbox, find_bwrap
from vulnbench.sandbox.base import Limits, RunResult, Sandbox
from vulnbench.sandbox.runtime import find_runtime

needs_bwrap = pytest.mark.skipif(find_bwrap() is None, reason="no bwrap")
SMALL = Limits(wall_seconds=5, cpu_seconds=2, memory_mb=512, output_bytes=4096)


def _run(sandbox: Sandbox, code: str, limits: Limits = SMALL) -> RunResult:
    return sandbox.run([sandbox.python(), "-I", "solution.py"], {"solution.py": code}, limits)


@pytest.fixture
def bwrap() -> BwrapSandbox:
    sandbox = create_sandbox("bwrap")
    assert isinstance(sandbox, BwrapSandbox) and sandbox.isolated
    return sandbox


@pytest.fixture
def unsandboxed(monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    monkeypatch.setenv("VULNBENCH_ALLOW_UNSANDBOXED", "1")
    return create_sandbox("subprocess")


# --- the subprocess sandbox needs an explicit opt-in ---------------------------------------------

@pytest.mark.parametrize("value", [None, "", "0", "yes", "true"])
def test_subprocess_sandbox_is_refused_without_opt_in(monkeypatch: pytest.MonkeyPatch,
                                                      value: str | None) -> None:
    if value is None:
        monkeypatch.delenv("VULNBENCH_ALLOW_UNSANDBOXED", raising=False)
    else:
        monkeypatch.setenv("VULNBENCH_ALLOW_UNSANDBOXED", value)
    with pytest.raises(VulnbenchError, match="VULNBENCH_ALLOW_UNSANDBOXED=1"):
        create_sandbox("subprocess")


def test_subprocess_sandbox_with_opt_in(unsandboxed: Sandbox) -> None:
    assert isinstance(unsandboxed, SubprocessSandbox) and not unsandboxed.isolated
    assert "NO ISOLATION" in unsandboxed.protections()
    result = _run(unsandboxed, "print('hello')")
    assert (result.status, result.exit_code, result.stdout) == ("ok", 0, "hello\n")


def test_unknown_sandbox() -> None:
    with pytest.raises(UnknownNameError):
        create_sandbox("docker-ish")


# --- basics --------------------------------------------------------------------------------------

@needs_bwrap
def test_runs_in_a_private_work_dir_with_a_clean_environment(bwrap: BwrapSandbox) -> None:
    code = ("import os, sys\n"
            "print(os.getcwd(), os.path.expanduser('~'), sorted(os.listdir('.')))\n"
            "print(sorted(k for k in os.environ if k not in {'PATH', 'HOME', 'LANG', "
            "'PYTHONDONTWRITEBYTECODE', 'LC_CTYPE', 'PWD'}))\n"
            "open('out.txt', 'w').write('made inside')\n")
    result = bwrap.run([bwrap.python(), "-I", "solution.py"],
                       {"solution.py": code, "data/in.txt": b"x"}, SMALL, collect=["out.txt"])
    assert result.status == "ok", result.stderr
    assert result.stdout.splitlines() == ["/box /box ['data', 'solution.py']", "[]"]
    assert result.files == {"out.txt": b"made inside"}


@needs_bwrap
def test_no_capabilities_inside(bwrap: BwrapSandbox) -> None:
    result = _run(bwrap, "print([l for l in open('/proc/self/status') if 'CapEff' in l][0])")
    assert result.stdout.split() == ["CapEff:", "0000000000000000"]


# --- runaway samples -----------------------------------------------------------------------------

@needs_bwrap
def test_cpu_bound_infinite_loop_is_a_timeout(bwrap: BwrapSandbox) -> None:
    result = _run(bwrap, "while True:\n    pass\n",
                  Limits(wall_seconds=10, cpu_seconds=1, output_bytes=4096))
    assert result.status == "timeout"
    assert result.seconds < 9


@needs_bwrap
def test_sleeping_forever_is_a_wall_clock_timeout(bwrap: BwrapSandbox) -> None:
    code = "import subprocess, time\nsubprocess.Popen(['sleep', '300'])\ntime.sleep(300)\n"
    result = _run(bwrap, code, Limits(wall_seconds=1.5, cpu_seconds=5))
    assert result.status == "timeout"
    assert result.seconds < 10


@needs_bwrap
def test_huge_output_is_truncated_to_the_cap(bwrap: BwrapSandbox) -> None:
    code = "import sys\nsys.stdout.write('x' * 5_000_000)\nsys.stderr.write('e' * 100_000)\n"
    result = _run(bwrap, code, Limits(wall_seconds=20, output_bytes=1000))
    assert result.status == "ok"
    assert result.truncated
    assert result.stdout == "x" * 1000
    assert result.stderr == "e" * 1000


@needs_bwrap
def test_endless_output_is_capped_and_times_out(bwrap: BwrapSandbox) -> None:
    result = _run(bwrap, "while True:\n    print('y' * 1000)\n",
                  Limits(wall_seconds=2, cpu_seconds=10, output_bytes=10_000))
    assert result.status == "timeout"
    assert result.truncated and len(result.stdout) == 10_000


@needs_bwrap
def test_output_exactly_at_the_cap_is_not_truncated(bwrap: BwrapSandbox) -> None:
    result = _run(bwrap, "import sys\nsys.stdout.write('z' * 1000)\n",
                  Limits(output_bytes=1000))
    assert result.stdout == "z" * 1000 and not result.truncated


@needs_bwrap
def test_memory_hog_is_oom(bwrap: BwrapSandbox) -> None:
    result = _run(bwrap, "x = bytearray(8 * 1024 ** 3)\n", Limits(memory_mb=256))
    assert result.status == "oom"


@needs_bwrap
def test_self_kill_is_killed(bwrap: BwrapSandbox) -> None:
    result = _run(bwrap, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n")
    assert result.status == "killed"


@needs_bwrap
def test_ordinary_failure_is_ok_with_its_exit_code(bwrap: BwrapSandbox) -> None:
    result = _run(bwrap, "raise SystemExit(3)\n")
    assert (result.status, result.exit_code) == ("ok", 3)


# --- the host is out of reach --------------------------------------------------------------------

RUNTIME_PREFIX = str(Path(find_runtime().python).parent.parent)


@pytest.fixture
def visible_canary() -> Iterator[Path]:
    """A file in a directory the sandbox binds read-only (the task runtime environment)."""
    path = Path(RUNTIME_PREFIX) / f"vb-canary-{uuid.uuid4().hex}"
    try:
        path.write_text("still here")
    except OSError:
        pytest.skip(reason=f"requires a writable runtime dir for the canary: {RUNTIME_PREFIX}")
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


@needs_bwrap
def test_rm_rf_only_affects_the_private_dir(bwrap: BwrapSandbox, visible_canary: Path,
                                             tmp_path: Path) -> None:
    hidden_canary = tmp_path / "canary.txt"
    hidden_canary.write_text("still here")
    code = (
        "import os, shutil\n"
        f"print('visible', os.path.exists({str(visible_canary)!r}))\n"
        f"print('hidden', os.path.exists({str(hidden_canary)!r}))\n"
        "os.system('rm -rf ~ 2>/dev/null')\n"
        "print('home', os.path.exists(os.path.expanduser('~/solution.py')))\n"
        f"os.system('rm -rf {visible_canary} {hidden_canary} {RUNTIME_PREFIX}/bin 2>/dev/null')\n"
        f"shutil.rmtree({RUNTIME_PREFIX!r}, ignore_errors=True)\n"
        f"print('after', os.path.exists({str(visible_canary)!r}))\n"
    )
    result = _run(bwrap, code)
    assert result.status == "ok", result.stderr
    assert result.stdout.split("\n")[:4] == [
        "visible True", "hidden False", "home False", "after True"]
    assert visible_canary.read_text() == "still here"
    assert hidden_canary.read_text() == "still here"
    assert Path(find_runtime().python).exists()


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.5)
    try:
        yield server
    finally:
        server.close()


_CONNECT = """
import socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=3).close()
    print("CONNECTED")
except OSError as err:
    print("BLOCKED", type(err).__name__)
"""


def _accepted(server: socket.socket) -> bool:
    try:
        conn, _ = server.accept()
    except TimeoutError:
        return False
    conn.close()
    return True


@needs_bwrap
def test_network_to_a_host_listener_fails(bwrap: BwrapSandbox,
                                          listener: socket.socket) -> None:
    result = _run(bwrap, _CONNECT.format(port=listener.getsockname()[1]))
    assert result.stdout.startswith("BLOCKED"), result.stdout + result.stderr
    assert not _accepted(listener)


def test_network_control_without_isolation_connects(unsandboxed: Sandbox,
                                                     listener: socket.socket) -> None:
    result = _run(unsandboxed, _CONNECT.format(port=listener.getsockname()[1]))
    assert result.stdout.startswith("CONNECTED"), result.stdout + result.stderr
    assert _accepted(listener)


_SECRETS = """
import os
import shutil
for path in {paths!r}:
    try:
        if os.path.isdir(path):
            print(path, "LISTED", os.listdir(path))
        else:
            with open(path, "rb") as fh:
                print(path, "READ", len(fh.read()))
    except OSError as err:
        print(path, "DENIED", type(err).__name__)
"""


@needs_bwrap
def test_secrets_are_unreadable(bwrap: BwrapSandbox) -> None:
    paths = ["/etc/shadow", "/root/.ssh", "/root/.ssh/id_rsa", str(Path.home() / ".ssh"),
             "/etc/sudoers"]
    result = _run(bwrap, _SECRETS.format(paths=paths))
    lines = result.stdout.splitlines()
    assert len(lines) == len(paths), result.stderr
    assert all(" DENIED " in line for line in lines), lines


@pytest.mark.skipif(not os.access("/etc/shadow", os.R_OK), reason="host cannot read /etc/shadow")
def test_secrets_control_without_isolation_reads_shadow(unsandboxed: Sandbox) -> None:
    result = _run(unsandboxed, _SECRETS.format(paths=["/etc/shadow"]))
    assert "READ" in result.stdout


@needs_bwrap
def test_system_dirs_are_read_only(bwrap: BwrapSandbox) -> None:
    code = ("for p in ['/usr/vb-probe', '/etc/vb-probe', '/vb-probe']:\n"
            "    try:\n"
            "        open(p, 'w').write('x')\n"
            "        print(p, 'WROTE')\n"
            "    except OSError:\n"
            "        print(p, 'DENIED')\n")
    result = _run(bwrap, code)
    assert result.stdout.split() == ["/usr/vb-probe", "DENIED", "/etc/vb-probe", "DENIED",
                                     "/vb-probe", "DENIED"]
    assert not Path("/usr/vb-probe").exists() and not Path("/etc/vb-probe").exists()


def test_docker_backend_without_a_daemon_says_so() -> None:
    import subprocess as sp

    from vulnbench.errors import ToolMissingError

    probe = sp.run(["docker", "info"], capture_output=True, check=False) \
        if shutil.which("docker") else None
    if probe is not None and probe.returncode == 0:
        pytest.skip(reason="unavailable: a Docker daemon answers here")
    with pytest.raises(ToolMissingError, match="docker"):
        create_sandbox("docker")
