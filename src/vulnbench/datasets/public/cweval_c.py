"""CWEval's C tasks: ``cwe_XXX_N_c_task.c`` (secure reference; the prompt runs up to a
``BEGIN SOLUTION`` marker, else to the opening brace of the first documented function),
``cwe_XXX_N_c_unsafe.c`` (insecure reference) and ``cwe_XXX_N_c_test.py`` (pytest that runs
``compiled/{task}_task`` beside itself and checks its output).

The test stays a Python harness file (the task's language is still "c": the sample is written
as ``solution.c``); its wrapper first builds the sample the way CWEval does, ``gcc SRC -o
compiled/{task}_task -lsqlite3 -ljwt -lssl -lcrypto -larchive $(xml2-config --cflags --libs)``,
appending the task's own ``main`` (its ``BEGIN ENTRYPOINT`` part) when the sample has none, as
a model completing the function never writes it. A compile failure is the sample's (an error
with gcc's message, so neither functional nor vulnerable); an environment that cannot link an
empty program with those flags is ours, and the error says so."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

from vulnbench.datasets.public._pytest_shim import wrapper
from vulnbench.errors import DatasetError

LIBS = ("-lsqlite3", "-ljwt", "-lssl", "-lcrypto", "-larchive")
DEV_PACKAGES = "libsqlite3-dev libjwt-dev libssl-dev libarchive-dev libxml2-dev pkg-config"
_SOLUTION_MARK = re.compile(r"^[ \t]*(?:#|//|/\*)[ \t]*BEGIN SOLUTION.*$", re.MULTILINE)
_ENTRY_MARK = re.compile(r"^[ \t]*(?://|/\*)[ \t]*BEGIN ENTRYPOINT.*$", re.MULTILINE)
_C_SIG = re.compile(r"^[^\n;#{}]*?\b([A-Za-z_]\w*)\s*\([^;{}]*\)\s*\{[ \t]*\n?", re.MULTILINE)
_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.DOTALL)
_MAIN_DEF = re.compile(r"^[^\n;#{}]*\bmain\s*\([^;{}]*\)\s*\{", re.MULTILINE)

# Runs inside the sandbox, before the test file: build solution.c into compiled/{task}_task.
BUILD = r'''
import contextlib as _vb_contextlib
import os as _vb_os
import re as _vb_re
import subprocess as _vb_subprocess

_TASK = {task!r}
_ENTRYPOINT = {entrypoint!r}
_LIBS = {libs!r}
_DEV = {dev!r}
_ENV = {{"PATH": "/usr/bin:/bin", "LC_ALL": "C"}}  # ASCII messages


class CompileError(Exception):
    """The sample does not compile or link with CWEval's flags: the sample's failure."""


class EnvironmentBuildError(Exception):
    """gcc or a library CWEval links against is missing: vulnbench's failure, not the sample's."""


def _ours(what):
    return EnvironmentBuildError(f"vulnbench's environment, not the sample: {{what}}; install "
                                 f"gcc and {{_DEV}} (scripts/setup.sh)")


def _xml2_flags():
    for cmd in (["xml2-config", "--cflags", "--libs"],
                ["pkg-config", "--cflags", "--libs", "libxml-2.0"]):
        with _vb_contextlib.suppress(OSError, _vb_subprocess.SubprocessError):
            proc = _vb_subprocess.run(cmd, capture_output=True, text=True, timeout=30, env=_ENV)
            if proc.returncode == 0:
                return proc.stdout.split()
    raise _ours("neither xml2-config nor pkg-config libxml-2.0 answers")


def _gcc(source, out, flags):
    try:
        return _vb_subprocess.run(["gcc", source, "-o", out, *flags], capture_output=True,
                                  text=True, timeout=120, env=_ENV)
    except OSError as err:
        raise _ours(f"cannot run gcc ({{err}})") from None


def _build():
    with open("solution.c", encoding="utf-8", errors="surrogateescape") as fh:
        code = fh.read()
    if _ENTRYPOINT and not _vb_re.search(r"^[^\n;#{{}}]*\bmain\s*\([^;{{}}]*\)\s*\{{", code,
                                         _vb_re.MULTILINE):
        code = code.rstrip("\n") + "\n\n" + _ENTRYPOINT
    flags = [*_LIBS, *_xml2_flags()]
    _vb_os.makedirs("compiled", exist_ok=True)
    source, out = f"_vb_{{_TASK}}.c", _vb_os.path.join("compiled", f"{{_TASK}}_task")
    with open(source, "w", encoding="utf-8", errors="surrogateescape") as fh:
        fh.write(code)
    with _vb_contextlib.suppress(FileNotFoundError):
        _vb_os.unlink(out)  # never test a binary left by an earlier suite
    proc = _gcc(source, out, flags)
    if proc.returncode == 0:
        return
    with open("_vb_probe.c", "w", encoding="utf-8") as fh:
        fh.write("int main(void) {{ return 0; }}\n")
    probe = _gcc("_vb_probe.c", "_vb_probe", flags)
    if probe.returncode != 0:
        raise _ours("an empty program does not link with CWEval's flags "
                    f"({{' '.join(flags)}}): {{probe.stderr.strip()[-300:]}}")
    raise CompileError("solution.c does not compile with CWEval's flags: "
                       + proc.stderr.strip()[-600:])


_build()
'''


def _blank_comments(code: str) -> str:
    """``code`` with comments blanked out (offsets kept): a doc comment's "(e.g. file not
    found)" must not read as a function signature."""
    return _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), code)


def c_prompt(code: str, where: str) -> tuple[str, str]:
    """(code prompt, entry point) of a C task file."""
    marker = _SOLUTION_MARK.search(code)
    if marker:
        prompt = code[:marker.start()]
        names = _C_SIG.findall(_blank_comments(prompt))
        return prompt, (names[-1] if names else "")
    doc_end = code.find("*/")
    match = _C_SIG.search(_blank_comments(code), doc_end + 2 if doc_end >= 0 else 0)
    if not match:
        raise DatasetError(f"{where}: no function definition to take the prompt from "
                           "(and no BEGIN SOLUTION marker)")
    prompt = code[:match.end()]
    return prompt if prompt.endswith("\n") else prompt + "\n", match.group(1)


def entrypoint(code: str, entry: str) -> str:
    """The task file's ``main`` (from a ``BEGIN ENTRYPOINT`` marker, else from the definition
    of ``main``, to the end): what a sample that only completes the function lacks."""
    marker = _ENTRY_MARK.search(code)
    if marker:
        return code[marker.start():]
    if entry == "main":
        return ""
    match = _MAIN_DEF.search(_blank_comments(code))
    return code[match.start():] if match else ""


def c_suites(test_file: Path, test_source: str, task: str, main: str) -> tuple[str, str]:
    """(functional, security) harness files for a C task's pytest file; ``task`` is the
    ``cwe_XXX_N_c`` stem the test names its binaries after."""
    prelude = BUILD.format(task=task, entrypoint=main, libs=list(LIBS), dev=DEV_PACKAGES)
    functional = wrapper(test_file.name, test_source, "functional", prelude=prelude)
    security = wrapper(test_file.name, test_source, "security", prelude=prelude) \
        if re.search(r"secur", test_source, re.IGNORECASE) else ""
    return functional, security


@cache
def host_build_problem() -> str:
    """Why this host cannot build CWEval's C tasks (gcc or a library missing), else empty: said
    when the tasks load rather than after every sample fails."""
    if not shutil.which("gcc"):
        return "gcc is not installed"
    xml = shutil.which("xml2-config")
    if not xml:
        return "xml2-config is not installed (libxml2-dev)"
    try:
        flags = subprocess.run([xml, "--cflags", "--libs"], capture_output=True, text=True,
                               timeout=30, check=True).stdout.split()
        with tempfile.TemporaryDirectory(prefix="vb-cweval-") as tmp:
            src = Path(tmp) / "probe.c"
            src.write_text("int main(void) { return 0; }\n")
            proc = subprocess.run(["gcc", str(src), "-o", str(Path(tmp) / "probe"), *LIBS,
                                   *flags], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as err:
        return f"cannot run the build probe ({err})"
    if proc.returncode != 0:
        return "an empty program does not link with CWEval's flags: " + \
            proc.stderr.strip()[-200:]
    return ""
