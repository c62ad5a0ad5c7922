"""Disk cases of ``vulnbench sandbox check``, and the host-side meter they are judged by: a
hostile program writes 1 GiB into a writable place of the sandbox (or makes files without end)
and must stop at the cap, while the host's shared memory (where tmpfs pages live, the
sandbox's /tmp, work dir and /dev/shm included) and its temp dir's disk grow by no more than
the cap. The meter samples the host while the program runs: the space is freed when the
sandbox ends, so a reading taken afterwards would show nothing."""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

MIB = 1 << 20
FILL_BYTES = 1 << 30
# other processes on the host move its shared memory and disk too
MARGIN = 128 * MIB


def shmem_bytes() -> int:
    """``Shmem`` of /proc/meminfo: tmpfs pages (every sandbox's /tmp, work dir, /dev/shm)."""
    with open("/proc/meminfo", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("Shmem:"):
                return int(line.split()[1]) * 1024
    return 0


def used_bytes(path: str) -> int:
    st = os.statvfs(path)
    return (st.f_blocks - st.f_bfree) * st.f_frsize


@dataclass
class HostGrowth:
    """Peak growth over the starting value while the meter ran, in bytes."""

    shmem: int = 0
    dev_shm: int = 0  # the host's own /dev/shm (part of shmem)
    disk: int = 0  # the file system of the host's temp dir (where work dirs used to be)

    @property
    def total(self) -> int:
        return self.shmem + self.disk

    def __str__(self) -> str:
        return (f"host shared memory +{self.shmem / MIB:.1f} MiB (/dev/shm "
                f"+{self.dev_shm / MIB:.1f} MiB), host disk +{self.disk / MIB:.1f} MiB")


@contextmanager
def host_growth(every: float = 0.005) -> Iterator[HostGrowth]:
    """Sample the host every ``every`` seconds until the block ends."""
    temp = tempfile.gettempdir()

    def now() -> tuple[int, int, int]:
        return shmem_bytes(), used_bytes("/dev/shm"), used_bytes(temp)

    start = now()
    growth = HostGrowth()
    stop = threading.Event()

    def sample() -> None:
        while True:
            shmem, dev_shm, disk = (b - a for a, b in zip(start, now(), strict=True))
            growth.shmem = max(growth.shmem, shmem)
            growth.dev_shm = max(growth.dev_shm, dev_shm)
            growth.disk = max(growth.disk, disk)
            if stop.wait(every):
                return

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield growth
    finally:
        stop.set()
        thread.join()


def fill_program(target: str, token: str, total: int = FILL_BYTES) -> str:
    """Write ``total`` bytes into ``target`` in 64 MiB files (within the per-file cap), hold
    them a moment for the meter, print ``WROTE <bytes> <error>``, then remove them (an
    unisolated backend writes into the host)."""
    return f"""
import os, time
written, error, names, block = 0, "", [], b"x" * (4 << 20)
try:
    for i in range({-(-total // (64 << 20))}):
        names.append(os.path.join({target!r}, "vb-fill-{token}-%d" % i))
        fd = os.open(names[-1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            for _ in range(16):
                written += os.write(fd, block)
        finally:
            os.close(fd)
except OSError as err:
    error = err.strerror
time.sleep(0.3)
print("WROTE", written, error, flush=True)
for name in names:
    try:
        os.unlink(name)
    except OSError:
        pass
"""


def written(stdout: str) -> tuple[int, str]:
    """Bytes a :func:`fill_program` wrote and the error that stopped it."""
    for line in stdout.splitlines():
        if line.startswith("WROTE "):
            _, count, *error = line.split(" ", 2)
            return int(count), " ".join(error)
    raise RuntimeError(f"the fill program reported nothing: {stdout[-200:]!r}")


def judge_fill(stdout: str, cap: int | None, growth: HostGrowth) -> tuple[bool, str]:
    """Contained: the program stopped at the cap (``None``: the backend sets none, so it must
    not have written at all) and the host grew by no more than the cap."""
    count, error = written(stdout)
    bound = cap or 0
    ok = count <= bound and growth.total <= bound + MARGIN
    shown = "no cap" if cap is None else f"cap {bound / MIB:g} MiB" if cap else "read-only"
    return ok, f"wrote {count} bytes ({error or 'no error'}), {shown}; {growth}"


def files_program(folder: str, most: int) -> str:
    """Create up to ``most`` empty files in ``folder``; print ``MADE <n>`` if not stopped."""
    return f"""
import os, shutil
os.makedirs({folder!r}, exist_ok=True)
n = 0
try:
    while n < {most}:
        os.close(os.open(os.path.join({folder!r}, str(n)), os.O_CREAT | os.O_WRONLY, 0o600))
        n += 1
except OSError as err:
    print("STOPPED", n, err.strerror)
print("MADE", n, flush=True)
shutil.rmtree({folder!r}, ignore_errors=True)
"""
