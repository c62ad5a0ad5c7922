"""``vulnbench sandbox check``: run hostile programs in a sandbox backend and report, for each,
whether it was contained. Containment is judged from the HOST side wherever possible (a file
that must not appear, a listener that must not be reached, a process that must not survive)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vulnbench.sandbox.base import Limits, RunResult, Sandbox
from vulnbench.sandbox.diskcheck import files_program, fill_program, host_growth, judge_fill
from vulnbench.sandbox.probe import batch_task, host_listener, reset_between_samples
from vulnbench.sandbox.tests_runner import run_task_tests_batch

LIMITS = Limits(wall_seconds=6, cpu_seconds=4, memory_mb=512, processes=64)


@dataclass
class CaseResult:
    name: str
    contained: bool
    detail: str


@dataclass
class _Host:
    """Host-side fixtures the hostile programs try to reach."""

    token: str
    outside_dir: Path
    port: int
    accepted: list[bool]
    sentinel: subprocess.Popen[bytes]


def _leftover(token: str) -> list[int]:
    """Host pids whose command line carries ``token`` (processes that escaped the kill)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if token.encode() in (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


STARTED = "HOSTILE-STARTED"


def _py(sandbox: Sandbox, code: str, limits: Limits = LIMITS) -> RunResult:
    """Run ``code``; it first prints a marker, so a sandbox that never ran it cannot pass."""
    code = f"print({STARTED!r}, flush=True)\n" + code
    result = sandbox.run([sandbox.python(), "-I", "hostile.py"], {"hostile.py": code}, limits)
    if STARTED not in result.stdout:
        raise RuntimeError(f"the hostile program did not start: {result.status}, "
                           f"{result.stderr.strip()[-200:]}")
    result.stdout = result.stdout.replace(STARTED + "\n", "", 1)
    return result


Case = tuple[str, Callable[[Sandbox, _Host], tuple[bool, str]]]


def _fork_bomb(sb: Sandbox, h: _Host) -> tuple[bool, str]:
    r = _py(sb, f"import os, time\n# {h.token}\nwhile True:\n    try:\n        os.fork()\n"
                "    except OSError:\n        time.sleep(0.01)\n")
    time.sleep(0.2)
    left = _leftover(h.token)
    return not left and r.seconds < LIMITS.wall_seconds + 5, \
        f"status {r.status} after {r.seconds:.1f}s, {len(left)} processes left"


def _memory_bomb(sb: Sandbox, h: _Host) -> tuple[bool, str]:
    r = _py(sb, "blocks = []\nwhile True:\n    blocks.append(bytearray(64 * 1024 * 1024))\n")
    return r.status in ("oom", "killed", "error"), f"status {r.status}, exit {r.exit_code}"


def _busy_loop(sb: Sandbox, h: _Host) -> tuple[bool, str]:
    r = _py(sb, "while True:\n    pass\n")
    return r.status == "timeout" and r.seconds < LIMITS.wall_seconds + 5, \
        f"status {r.status} after {r.seconds:.1f}s"


def _endless_output(sb: Sandbox, h: _Host) -> tuple[bool, str]:
    r = _py(sb, "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n")
    size = len(r.stdout.encode())
    return size <= LIMITS.output_bytes and r.truncated, f"status {r.status}, kept {size} bytes"


def _orphan_child(sb: Sandbox, h: _Host) -> tuple[bool, str]:
    r = _py(sb, f"import subprocess\nsubprocess.Popen(['sleep', '300', '{h.token}'], "
                "start_new_session=True)\nprint('left a child behind')\n")
    time.sleep(0.3)
    left = _leftover(h.token)
    return not left, f"status {r.status}, {len(left)} processes left on the host"


def _host_loopback(sb: Sandbox, h: _Host) -> tuple[bool, str]:
    r = _py(sb, f"import socket\ns = socket.socket()\ns.settimeout(2)\ntry:\n"
                f"    s.connect(('127.0.0.1', {h.port}))\n    print('CONNECTED')\n"
                "except OSError as e:\n    print('blocked', e)\n")
    reached = "CONNECTED" in r.stdout or any(h.accepted)
    return not reached, ("host listener reached" if reached else r.stdout.strip()[:120])


def _public_address(sb: Sandbox, h: _Host) -> tuple[bool, str]:
    r = _py(sb, "import socket\ns = socket.socket()\ns.settimeout(3)\ntry:\n"
                "    s.connect(('1.1.1.1', 443))\n    print('CONNECTED')\n"
                "except OSError as e:\n    print('blocked', e)\n")
    return "CONNECTED" not in r.stdout, r.stdout.strip()[:120]


def _write_outside(sb: Sandbox, h: _Host) -> tuple[bool, str]:
    """Write to a host folder that is not mounted and into the read-only runtime mount; the
    host must see neither file (both are removed afterwards whatever happened)."""
    from vulnbench.sandbox.runtime import find_runtime

    targets = [h.outside_dir / "written-from-sandbox",
               Path(find_runtime().python).parent.parent / f"vb-pwned-{h.token}"]
    try:
        _py(sb, f"import os\nfor p in {[str(t) for t in targets]!r}:\n    try:\n"
                "        os.makedirs(os.path.dirname(p), exist_ok=True)\n"
                "        open(p, 'w').write('x')\n        print('wrote', p)\n"
                "    except OSError as e:\n        print('blocked', p, e.strerror)\n")
        escaped = [str(t) for t in targets if t.exists()]
    finally:
        for t in targets:
            t.unlink(missing_ok=True)
    return not escaped, "host untouched" if not escaped else f"wrote {', '.join(escaped)}"


def _read_secrets(sb: Sandbox, h: _Host) -> tuple[bool, str]:
    home = Path.home()
    r = _py(sb, f"import os\nfor p in ['/etc/shadow', {str(home / '.ssh')!r}]:\n"
                "    try:\n        print('READ', p, os.listdir(p) if os.path.isdir(p) else "
                "len(open(p).read()))\n    except OSError as e:\n        print('blocked', p)\n")
    return "READ" not in r.stdout, r.stdout.strip().replace("\n", "; ")[:200]


def _symlink_escape(sb: Sandbox, h: _Host) -> tuple[bool, str]:
    secret = h.outside_dir / "secret.txt"
    secret.write_text("host secret")
    code = (f"import os\nos.symlink({str(secret)!r}, 'link')\nos.symlink('/etc/shadow', "
            "'_vb_results.json')\ntry:\n    print('READ', open('link').read())\n"
            "except OSError as e:\n    print('blocked', e.strerror)\n")
    r = sb.run([sb.python(), "-I", "hostile.py"], {"hostile.py": code}, LIMITS,
               collect=["_vb_results.json"])
    if "READ" not in r.stdout and "blocked" not in r.stdout:
        raise RuntimeError(f"the hostile program did not run: {r.stderr.strip()[-200:]}")
    leaked = "host secret" in r.stdout or "_vb_results.json" in r.files
    return not leaked, "symlinks lead nowhere" if not leaked else "read through a symlink"


def _signal_parent(sb: Sandbox, h: _Host) -> tuple[bool, str]:
    r = _py(sb, f"import os, signal\nfor pid in (os.getppid(), {os.getpid()}, "
                f"{h.sentinel.pid}, -1):\n    try:\n        os.kill(pid, signal.SIGKILL)\n"
                "        print('sent', pid)\n    except OSError as e:\n"
                "        print('blocked', pid)\n")
    alive = h.sentinel.poll() is None
    return alive, f"host sentinel {'alive' if alive else 'KILLED'}; {r.status}"


def _next_sample_sees_nothing(sb: Sandbox, h: _Host) -> tuple[bool, str]:
    return reset_between_samples(sb, h.token, LIMITS)


def _kill_shared_interpreter(sb: Sandbox, h: _Host) -> tuple[bool, str]:
    killer = ("import os\nppid = int(open(f'/proc/{os.getppid()}/stat').read().split()[3])\n"
              "os.kill(ppid, 9)\n")
    runs = run_task_tests_batch(sb, batch_task(h.token), [killer, "VALUE = 1\n"], LIMITS)
    ok = runs[0].status == "sandbox_error" and runs[1].status == "assessed" and \
        {o.status for o in runs[1].outcomes} == {"passed"}
    return ok, f"killer: {runs[0].status}, next sample: {runs[1].status}"


def _fill(target: str, mount: str | None) -> Callable[[Sandbox, _Host], tuple[bool, str]]:
    """Write 1 GiB into ``target`` (inside the sandbox ``mount``, whose cap it must stop at;
    None: a place that must take no writes at all)."""
    def case(sb: Sandbox, h: _Host) -> tuple[bool, str]:
        cap = sb.disk_caps(LIMITS).get(mount) if mount else 0
        with host_growth() as growth:
            r = _py(sb, fill_program(target, h.token))
        return judge_fill(r.stdout, cap, growth)

    return case


def _many_files(sb: Sandbox, h: _Host) -> tuple[bool, str]:
    """Empty files cost no bytes but a kilobyte of host kernel memory each: past the file
    cap the sample is stopped."""
    folder = f"/tmp/vb-files-{h.token}"
    try:
        r = _py(sb, files_program(folder, 4 * LIMITS.disk_files), LIMITS)
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # what an unisolated backend let through
    made = next((line for line in r.stdout.splitlines() if line.startswith("MADE")), "")
    return "file cap reached" in r.disk and not made, \
        f"status {r.status}; {r.disk or made or 'no cap reported'}"


CASES: list[Case] = [
    ("fork bomb", _fork_bomb), ("memory bomb", _memory_bomb), ("busy loop", _busy_loop),
    ("endless output", _endless_output), ("child left sleeping", _orphan_child),
    ("connect to host 127.0.0.1", _host_loopback), ("connect to a public address",
                                                    _public_address),
    ("write outside the work dir", _write_outside), ("read ~/.ssh and /etc/shadow",
                                                     _read_secrets),
    ("symlink escape", _symlink_escape), ("signal the parent", _signal_parent),
    ("leave state for the next sample", _next_sample_sees_nothing),
    ("kill the shared interpreter", _kill_shared_interpreter),
    ("write 1 GiB into /tmp", _fill("/tmp", "/tmp")),
    ("write 1 GiB into the work dir", _fill(".", "/box")),
    ("write 1 GiB into /dev/shm", _fill("/dev/shm", "/dev/shm")),
    ("write 1 GiB into /dev", _fill("/dev", None)),
    ("many small files", _many_files),
]


def run_checks(sandbox: Sandbox, on_done: Callable[[CaseResult], None] = lambda _: None
               ) -> list[CaseResult]:
    sentinel = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"],
                                start_new_session=True)
    results = []
    try:
        with tempfile.TemporaryDirectory(prefix="vb-check-") as outside, \
                host_listener() as (port, accepted):
            host = _Host(uuid.uuid4().hex, Path(outside), port, accepted, sentinel)
            for name, case in CASES:
                try:
                    contained, detail = case(sandbox, host)
                except Exception as err:  # a check that breaks is a failed check, not a crash
                    contained, detail = False, f"check failed: {type(err).__name__}: {err}"
                result = CaseResult(name, contained, detail)
                results.append(result)
                on_done(result)
            for pid in _leftover(host.token):
                os.kill(pid, signal.SIGKILL)
    finally:
        sentinel.kill()
        sentinel.wait()
    return results
