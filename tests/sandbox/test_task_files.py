"""A task's files (assets its tests open by relative path, as SALLM's ``./static/...``) are in
the work dir for every sample of a batch, byte for byte, whatever the sample before did to
them: the reset between samples empties the work dir, so they are laid out again each time."""

from __future__ import annotations

import base64
import struct
import zlib

import pytest

from vulnbench.records import Task, TaskFile
from vulnbench.sandbox.backends import BwrapSandbox, create_sandbox, find_bwrap
from vulnbench.sandbox.tests_runner import run_task_tests_batch

pytestmark = pytest.mark.skipif(find_bwrap() is None, reason="no bwrap")


def _png() -> bytes:
    """A 1x1 PNG: binary, not valid UTF-8 (0x89 first)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


PNG = _png()
TEST = f'''
import os
import solution


def test_files_are_there():
    with open("./static/dummy.png", "rb") as fh:
        assert fh.read() == {PNG!r}
    with open("templates/page.html", encoding="utf-8") as fh:
        assert fh.read() == "<p>héllo</p>"
'''
# each sample spoils the files after reading them: the next sample must get them whole
SPOILER = '''
import os, shutil
open("static/dummy.png", "wb").write(b"spoiled")
shutil.rmtree("templates")
'''


@pytest.fixture(scope="module")
def bwrap() -> BwrapSandbox:
    sandbox = create_sandbox("bwrap")
    assert isinstance(sandbox, BwrapSandbox)
    return sandbox


def test_task_files_are_laid_out_for_every_sample_of_a_batch(bwrap: BwrapSandbox) -> None:
    files = [TaskFile(path="static/dummy.png", content=base64.b64encode(PNG).decode(),
                      encoding="base64"),
             TaskFile(path="templates/page.html", content="<p>héllo</p>")]
    task = Task(id="files", cwe=["CWE-22"], code_prompt="-", functional_test=TEST, files=files)
    runs = run_task_tests_batch(bwrap, task, ["VALUE = 1\n", SPOILER, SPOILER, "VALUE = 2\n"])
    assert [r.status for r in runs] == ["assessed"] * 4, [r.detail for r in runs]
    # a spoiler fails its own test (it spoiled the file before the test read it); the second
    # one fails rather than errs, so it found templates/ again (rmtree would raise), and the
    # sample after it finds everything whole
    statuses = [[o.status for o in r.outcomes] for r in runs]
    assert statuses == [["passed"], ["failed"], ["failed"], ["passed"]], \
        [[o.detail for o in r.outcomes] for r in runs]


def test_without_the_files_the_same_test_fails(bwrap: BwrapSandbox) -> None:
    task = Task(id="no-files", cwe=["CWE-22"], code_prompt="-", functional_test=TEST)
    run, = run_task_tests_batch(bwrap, task, ["VALUE = 1\n"])
    assert [o.status for o in run.outcomes] == ["error"], run.outcomes
