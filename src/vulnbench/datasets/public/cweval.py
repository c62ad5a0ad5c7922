"""CWEval (GitHub ``Co1lin/CWEval``, ``benchmark/core/{c,cpp,go,js,py}/``): per task
``cwe_XXX_N_task.<ext>`` (the secure reference, whose signature + docstring is the prompt) and
``cwe_XXX_N_test.py`` (pytest).

PATH is ``benchmark/core`` or one of its ``py``/``c`` folders; only Python and C tasks load
(other languages are counted and reported). Task ids are ``cweval-{py|c}-cwe_XXX_N``.

- ``code_prompt``: the task file up to a ``BEGIN SOLUTION`` marker line where there is one;
  else, for Python, up to the end of the docstring of the first documented top-level function;
  for C, up to the opening brace of the first function defined after the first doc comment.
- ``secure_reference``: the whole task file.
- Python tests are converted to the harness's form (``_pytest_shim``): functionality cases ->
  functional test, ``pytest.mark.security`` cases -> security test; tests whose names contain
  ``_unsafe`` (CWEval's oracle checks of its unsafe variant) are left out. C tests drive
  binaries built by CWEval's own build system and are not converted (reported)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from vulnbench.datasets.public import LoadedDataset
from vulnbench.datasets.public._common import (
    cwe_from,
    local_dir,
    make_task,
    read_text,
    third_party_imports,
)
from vulnbench.datasets.public._pytest_shim import wrapper
from vulnbench.errors import DatasetError
from vulnbench.records import Task

SOURCE = "cweval"
LANGS = {"py": ("python", ".py"), "c": ("c", ".c")}
OTHER = ("cpp", "go", "js", "rs", "java")
_TASK = re.compile(r"^(cwe_\d+_\d+)_task$")
_MARKER = re.compile(r"^[ \t]*(?:#|//|/\*)[ \t]*BEGIN SOLUTION.*$", re.MULTILINE)
_C_SIG = re.compile(r"^[^\n;#{}]*?\b([A-Za-z_]\w*)\s*\([^;{}]*\)\s*\{[ \t]*\n?", re.MULTILINE)


def python_prompt(code: str, where: str) -> tuple[str, str]:
    """(code prompt, entry point) of a Python task file."""
    try:
        tree = ast.parse(code)
    except SyntaxError as err:
        raise DatasetError(f"{where}:{err.lineno}: task file does not parse: {err.msg}") from None
    marker = _MARKER.search(code)
    funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    documented = [f for f in funcs if ast.get_docstring(f) is not None]
    if marker:
        prompt = code[:marker.start()]
        before = [f for f in funcs if f.lineno <= prompt.count("\n") + 1]
        return prompt, (before[-1].name if before else funcs[0].name if funcs else "")
    if not documented:
        raise DatasetError(f"{where}: no documented function to take the prompt from "
                           "(and no BEGIN SOLUTION marker)")
    func = documented[0]
    doc = func.body[0]
    end = doc.end_lineno or doc.lineno
    lines = code.splitlines(keepends=True)
    return "".join(lines[:end]).rstrip("\n") + "\n", func.name


def c_prompt(code: str, where: str) -> tuple[str, str]:
    """(code prompt, entry point) of a C task file."""
    marker = _MARKER.search(code)
    if marker:
        prompt = code[:marker.start()]
        names = _C_SIG.findall(prompt)
        return prompt, (names[-1] if names else "")
    doc_end = code.find("*/")
    match = _C_SIG.search(code, doc_end + 2 if doc_end >= 0 else 0)
    if not match:
        raise DatasetError(f"{where}: no function definition to take the prompt from "
                           "(and no BEGIN SOLUTION marker)")
    prompt = code[:match.end()]
    return prompt if prompt.endswith("\n") else prompt + "\n", match.group(1)


def _lang_dirs(root: Path) -> tuple[list[Path], dict[str, int]]:
    if root.name in LANGS:
        return [root], {}
    dirs = [root / name for name in LANGS if (root / name).is_dir()]
    others = {}
    for name in OTHER:
        if (root / name).is_dir():
            others[name] = sum(1 for _ in (root / name).glob("*_task.*"))
    return dirs, others


def load(path: str) -> LoadedDataset:
    root = local_dir(SOURCE, path)
    dirs, others = _lang_dirs(root)
    if not dirs:
        raise DatasetError(f"{root}: no py/ or c/ folder of CWEval tasks")
    tasks: list[Task] = []
    untested: list[str] = []
    no_security: list[str] = []
    c_count = 0
    for lang_dir in dirs:
        language, ext = LANGS[lang_dir.name]
        for file in sorted(lang_dir.glob(f"*_task{ext}")):
            match = _TASK.match(file.stem)
            if not match:
                continue
            base, where = match.group(1), str(file)
            code = read_text(file)
            if not code.strip():
                raise DatasetError(f"{file}: empty task file")
            prompt, entry = (python_prompt if language == "python" else c_prompt)(code, where)
            task_id = f"cweval-{lang_dir.name}-{base}"
            functional = security = ""
            test_file = lang_dir / f"{base}_test.py"
            if language == "c":
                c_count += 1
            elif test_file.is_file():
                source = read_text(test_file)
                functional = wrapper(test_file.name, file.stem, source, "functional")
                if re.search(r"secur", source, re.IGNORECASE):
                    security = wrapper(test_file.name, file.stem, source, "security")
                else:
                    no_security.append(task_id)
            else:
                untested.append(task_id)
            tasks.append(make_task(
                where, id=task_id, cwe=[cwe_from(base, where, "file name")],
                language=language, entry_point=entry or None, code_prompt=prompt,
                secure_reference=code, functional_test=functional, security_test=security,
                runtime=third_party_imports(code) if language == "python" else [],
                source=SOURCE))
    notes = ["CWEval: no insecure reference for Python (its unsafe variant lives inside the "
             "test file), no text prompt"]
    if c_count:
        notes.append(f"CWEval: {c_count} C task(s) without tests (CWEval's C tests drive "
                     "binaries from its own build system; not converted), no insecure reference")
    if untested:
        notes.append(f"CWEval: {len(untested)} Python task(s) without a _test.py file: "
                     + ", ".join(untested[:5]))
    if no_security:
        notes.append(f"CWEval: {len(no_security)} Python test file(s) with no security cases: "
                     + ", ".join(no_security[:5]))
    if others:
        notes.append("CWEval: skipped tasks in languages vulnbench does not run: "
                     + ", ".join(f"{k} {v}" for k, v in sorted(others.items())))
    return LoadedDataset(tasks, notes)
