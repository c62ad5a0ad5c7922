"""Verify, rather than assume, that a sandbox's protections are active: one short program
probes the network, the file system, the user and the environment from inside, two samples in
one shared sandbox check the reset between samples, and the run spec records what it saw."""

from __future__ import annotations

import json
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from vulnbench.records import Task
from vulnbench.sandbox.base import Limits, Sandbox
from vulnbench.sandbox.tests_runner import run_task_tests_batch

_PROBE = """
import json, os, socket
out = {}
s = socket.socket(); s.settimeout(1)
try:
    s.connect(("127.0.0.1", PORT)); out["host_loopback"] = "reachable"
except OSError:
    out["host_loopback"] = "blocked"
for path in ("/usr/vb-probe", "/etc/vb-probe", "/dev/vb-probe", "HOSTDIR/vb-probe"):
    try:
        open(path, "w").write("x"); out[path] = "writable"; os.unlink(path)
    except OSError:
        out[path] = "blocked"
try:
    open("/etc/shadow").read(1); out["/etc/shadow"] = "readable"
except OSError:
    out["/etc/shadow"] = "blocked"
out["uid"] = os.getuid()
out["env"] = sorted(k for k in os.environ if k not in ("PATH", "HOME", "LANG", "PWD",
                                                      "PYTHONDONTWRITEBYTECODE", "SHLVL", "_"))
open("work-dir-write", "w").write("ok")
out["work_dir"] = "writable"
for path in ("/tmp", os.getcwd(), "/dev/shm"):
    st = os.statvfs(path); out["size " + path] = st.f_blocks * st.f_frsize
print(json.dumps(out))
"""


# samples of one task share a sandbox and a warm interpreter (zygote.py): the next sample must
# find nothing of the previous one
_NEXT_SAMPLE_TEST = '''
import os, time
import solution


def test_nothing_left():
    time.sleep(0.3)
    paths = ("/tmp/vb-{token}", "/dev/shm/vb-{token}", "vb-{token}")
    left = [p for p in paths if os.path.exists(p)]
    assert not left, left
    assert sorted(os.listdir(".")) == ["solution.py", "test_functional.py"], os.listdir(".")
'''
_LITTER = '''
import os, time
if os.fork() == 0:  # a child stays behind, writing again and again
    os.setsid()
    for _ in range(1000):
        for path in ("/tmp/vb-{token}", "/dev/shm/vb-{token}", "vb-{token}"):
            try:
                open(path, "w").close()
            except OSError:
                pass
        time.sleep(0.01)
    os._exit(0)
time.sleep(0.05)
'''


def batch_task(token: str) -> Task:
    return Task(id="selfcheck-batch", cwe=["CWE-200"], code_prompt="-",
                functional_test=_NEXT_SAMPLE_TEST.replace("{token}", token))


def reset_between_samples(sb: Sandbox, token: str, limits: Limits) -> tuple[bool, str]:
    """A sample leaves files (work dir, /tmp, /dev/shm) and a process writing them again; the
    next sample in the same sandbox must find none of it."""
    task = batch_task(token)
    try:
        litter, clean = run_task_tests_batch(sb, task, [_LITTER.replace("{token}", token),
                                                         "VALUE = 1\n"], limits)
    finally:
        for path in (Path("/tmp") / f"vb-{token}", Path("/dev/shm") / f"vb-{token}"):
            path.unlink(missing_ok=True)  # what an unisolated backend let through
    if litter.status != "assessed" or not litter.outcomes:
        raise RuntimeError(f"the littering sample did not run: {litter.status} {litter.detail}")
    ok = clean.status == "assessed" and {o.status for o in clean.outcomes} == {"passed"}
    return ok, "next sample starts clean" if ok else \
        f"next sample saw leftovers: {[o.detail for o in clean.outcomes] or clean.detail}"


def _resets(sandbox: Sandbox) -> bool:
    try:
        return reset_between_samples(sandbox, uuid.uuid4().hex, Limits(wall_seconds=20))[0]
    except RuntimeError:
        return False


@dataclass
class ProbeReport:
    verified: list[str]
    failed: list[str]

    def summary(self) -> str:
        text = "verified: " + (", ".join(self.verified) or "none")
        return text + (f"; NOT ACTIVE: {', '.join(self.failed)}" if self.failed else "")


@contextmanager
def host_listener() -> Iterator[tuple[int, list[bool]]]:
    """A TCP listener on the host's 127.0.0.1: yields its port and a list that gets one entry
    per accepted connection (a sandbox must never add one)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    listener.settimeout(0.1)
    hits: list[bool] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                listener.accept()[0].close()
                hits.append(True)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], hits
    finally:
        stop.set()
        thread.join()
        listener.close()


def _disk_caps(sandbox: Sandbox, limits: Limits, seen: dict[str, object]) -> tuple[str, bool]:
    """The caps the backend promises, by name, and whether each mount inside has that size
    (the work dir is /box, the probe's cwd)."""
    caps = sandbox.disk_caps(limits)
    shown = ", ".join(f"{'work dir' if m == '/box' else m} {c >> 20} MiB" for m, c in caps.items())
    ok = set(caps) == {"/tmp", "/box", "/dev/shm"} and \
        all(seen.get(f"size {m}") == c for m, c in caps.items())
    return f"disk caps ({shown or 'none'})", ok


def probe(sandbox: Sandbox, host_dir: str) -> ProbeReport:
    limits = Limits(wall_seconds=20)
    with host_listener() as (port, hits):
        code = _PROBE.replace("PORT", str(port)).replace("HOSTDIR", host_dir)
        result = sandbox.run([sandbox.python(), "-I", "probe.py"], {"probe.py": code}, limits)
    try:
        seen = json.loads(result.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return ProbeReport([], [f"probe did not run ({result.status}: "
                                f"{result.stderr.strip()[-120:]})"])
    caps_name, caps_ok = _disk_caps(sandbox, limits, seen)
    checks = {
        "no network to the host": seen["host_loopback"] == "blocked" and not hits,
        "read-only system": seen["/usr/vb-probe"] == "blocked"
        and seen["/etc/vb-probe"] == "blocked",
        "host files out of reach": seen[f"{host_dir}/vb-probe"] == "blocked",
        "/etc/shadow unreadable": seen["/etc/shadow"] == "blocked",
        "unprivileged user": seen["uid"] != 0,
        "cleared environment": not seen["env"],
        "writable work dir": seen["work_dir"] == "writable",
        "read-only /dev": seen["/dev/vb-probe"] == "blocked",
        caps_name: caps_ok,
        "reset between samples": _resets(sandbox),
    }
    return ProbeReport([k for k, ok in checks.items() if ok],
                       [k for k, ok in checks.items() if not ok])
