"""SALLM (GitHub ``s2e-lab/SALLM``, ``PythonDataset/dataset.jsonl``): JSON Lines with ``id``
(``Matching_Author_A_cwe502_0.py`` = ``{technique}_{source}_{file}.py``), ``technique``,
``source``, ``prompt`` and ``insecure_code``.

- Task ids are the source's ``id`` unchanged, so SALLM's published generations
  (``Generation/Output/*.jsonl``: the same fields plus ``output``) replay as they are.
- The CWE comes from the file part (``cwe502`` -> CWE-502); the assessment technique
  (Assertion / Tainted / Matching) and SALLM's ``source`` are kept in ``explanation``.
- PATH is SALLM's ``PythonDataset`` folder or its ``dataset.jsonl``; everything else of a task
  comes from its own ``{technique}/{source}`` folder beside it (``_sallm_layout``): the test
  ``test_{module}.py``, the pins of ``{module}_requirements.txt`` (``Task.requirements``: the
  task runs in an environment of its own) and the files its Dockerfile copies plus the
  folder's ``assets/``, ``static/``, ``templates/`` (``Task.files``). Module names repeat across
  technique folders, so a test is never looked up by module name alone. ``?tests=DIR`` still
  reads tests from a folder of another layout (matched by the module they import).
- A unittest file becomes two harness suites: ``*vulnerab*``/``*secur*``/``*exploit*``/
  ``*attack*`` methods -> security test, the others (``test_correctness``) -> functional test.
  The wrapper aliases ``sys.modules[MODULE] = solution`` first, then runs the embedded unittest
  source, one harness test per method. The polarity of SALLM's tests is SALLM's own;
  ``vulnbench dataset check`` shows per task whether it holds here."""

from __future__ import annotations

import ast
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vulnbench.datasets.public import LoadedDataset
from vulnbench.datasets.public._common import (
    check_unique,
    cwe_from,
    field,
    is_url,
    last_python_def,
    local_file,
    make_task,
    read_jsonl,
    read_text,
    third_party_imports,
)
from vulnbench.datasets.public._sallm_layout import TaskLayout, read_layout
from vulnbench.errors import DatasetError
from vulnbench.records import Task

SOURCE = "sallm"
_FILE_PART = re.compile(r"([A-Za-z]+_cwe\d+_\d+)(?:\.py)?$", re.IGNORECASE)
_IMPORT = re.compile(r"^\s*(?:from\s+([A-Za-z_]\w*)\s+import|import\s+([A-Za-z_]\w*))",
                     re.MULTILINE)
TEST_DIR_NAMES = ("Tests", "tests", "Test", "test", "UnitTests", "unit_tests", "testcases")

_WRAPPER = '''"""SALLM test {test_file!r} for {module!r}, run by vulnbench's harness ({suite})."""
import os
import sys
import types
import unittest

import solution

sys.modules[{module!r}] = solution

_SOURCE = {source!r}
_tests = types.ModuleType("sallm_test_{module}")
_tests.__file__ = os.path.abspath({test_file!r})  # where the Dockerfile puts it
sys.modules[_tests.__name__] = _tests
exec(compile(_SOURCE, _tests.__file__, "exec"), _tests.__dict__)


def _run(class_name, method):
    cls = getattr(_tests, class_name)
    cls.setUpClass()
    try:
        cls(method).debug()  # runs setUp, the method, tearDown; failures propagate
    finally:
        cls.tearDownClass()
'''


@dataclass
class _Row:
    where: str
    row: dict[str, Any]
    task_id: str
    technique: str
    src: str
    module: str


def _split_path(path: str) -> tuple[str, str | None]:
    """``PATH?tests=DIR`` -> ``(PATH, DIR)``."""
    if "?tests=" in path:
        file, _, tests = path.rpartition("?tests=")
        return file, tests
    return path, None


def _dataset_file(spec: str) -> Path:
    """The ``dataset.jsonl`` that ``spec`` names: the file, the ``PythonDataset`` folder
    holding it, or a URL (downloaded; then there is no folder beside it)."""
    if not spec or is_url(spec):
        return local_file(SOURCE, spec)
    path = Path(spec).expanduser()
    if path.is_dir():
        file = path / "dataset.jsonl"
        if not file.is_file():
            raise DatasetError(f"sallm: {path} is a folder without dataset.jsonl (pass "
                               "SALLM's PythonDataset folder or its dataset.jsonl)")
        return file
    if not path.exists():
        raise DatasetError(f"sallm: no such file or folder: {path}")
    return path


def file_part(task_id: str, technique: str, src: str) -> str:
    stem = task_id[:-3] if task_id.endswith(".py") else task_id
    prefix = f"{technique}_{src}_"
    if technique and src and stem.startswith(prefix) and _FILE_PART.fullmatch(
            stem[len(prefix):]):
        return stem[len(prefix):]
    match = _FILE_PART.search(stem)
    return match.group(1) if match else stem


def _find_tests_dir(dataset: Path) -> Path | None:
    for name in TEST_DIR_NAMES:
        candidate = dataset.parent / name
        if candidate.is_dir():
            return candidate
    return None


def _index_tests(tests_dir: Path, rows: list[_Row]) -> tuple[dict[str, Path], list[str]]:
    """Tests from a folder of another layout (``?tests=DIR``): task id -> test file. A file
    belongs to the module it imports (or names); where several tasks share that module name,
    only a file whose path names the task's technique and source folders is taken."""
    by_module: dict[str, list[_Row]] = {}
    for row in rows:
        by_module.setdefault(row.module, []).append(row)
    found: dict[str, Path] = {}
    ambiguous: set[str] = set()
    for file in sorted(tests_dir.rglob("*.py")):
        if file.stem in by_module:  # a copy of the prompt's module, not its test
            continue
        text = read_text(file)
        if "TestCase" not in text:
            continue
        imported = {a or b for a, b in _IMPORT.findall(text)} & set(by_module)
        named = {m for m in by_module if m in file.stem or m == file.parent.name}
        parts = {p.lower() for p in file.relative_to(tests_dir).parts[:-1]}
        for module in sorted(imported or named):
            owners = by_module[module]
            if len(owners) > 1:
                owners = [r for r in owners if {r.technique.lower(), r.src.lower()} <= parts]
                if not owners:
                    ambiguous.add(module)
            for row in owners:
                found.setdefault(row.task_id, file)
    notes = [f"SALLM: test(s) in {tests_dir} for module name(s) shared by several tasks, not "
             f"in a {{technique}}/{{source}} folder, not used: {', '.join(sorted(ambiguous))}"
             ] if ambiguous else []
    return found, notes


def _test_methods(file: Path, text: str) -> list[tuple[str, str]]:
    """``(class, method)`` for each ``test*`` method of each ``TestCase`` class."""
    try:
        tree = ast.parse(text)
    except SyntaxError as err:
        raise DatasetError(f"{file}:{err.lineno}: SALLM test does not parse: {err.msg}") from None
    out = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and \
                        item.name.startswith("test"):
                    out.append((node.name, item.name))
    return out


_SECURITY_WORDS = ("vulnerab", "secur", "exploit", "attack")


def _is_security(method: str) -> bool:
    name = method.lower()
    return any(word in name for word in _SECURITY_WORDS)


def convert_test(file: Path, module: str) -> tuple[str, str]:
    """(functional_test, security_test) harness sources for one SALLM unittest file."""
    text = read_text(file)
    methods = _test_methods(file, text)
    if not methods:
        raise DatasetError(f"{file}: no unittest test methods in the SALLM test for {module!r}")
    suites = []
    for security in (False, True):
        chosen = [(c, m) for c, m in methods if _is_security(m) == security]
        if not chosen:
            suites.append("")
            continue
        body = _WRAPPER.format(test_file=file.name, module=module, source=text,
                               suite="security" if security else "functional")
        for cls, method in chosen:
            body += f"\n\ndef test_{cls}_{method}():\n    _run({cls!r}, {method!r})\n"
        suites.append(body)
    return suites[0], suites[1]


def _named(label: str, items: list[str]) -> str:
    return f"SALLM: {len(items)} task(s) {label}: {', '.join(items)}"


def load(path: str) -> LoadedDataset:
    file_spec, tests_spec = _split_path(path)
    file = _dataset_file(file_spec)
    rows: list[_Row] = []
    seen: dict[str, str] = {}
    for where, row in read_jsonl(file):
        task_id = field(row, "id", where)
        technique = field(row, "technique", where, required=False)
        src = field(row, "source", where, required=False)
        check_unique(task_id, where, seen)
        rows.append(_Row(where, row, task_id, technique, src, file_part(task_id, technique,
                                                                       src)))
    root = None if is_url(file_spec) else file.parent
    layouts = {r.task_id: read_layout(root, r.technique, r.src, r.module) if root else
               TaskLayout() for r in rows}

    notes = ["SALLM: no secure reference, no text prompt"]
    tests_dir: Path | None = None
    if tests_spec is not None:
        tests_dir = Path(tests_spec).expanduser()
        if not tests_dir.is_dir():
            raise DatasetError(f"sallm: tests folder not found: {tests_dir}")
    elif root is not None:
        tests_dir = _find_tests_dir(file)
    other: dict[str, Path] = {}
    if tests_dir is not None:
        other, index_notes = _index_tests(tests_dir, [r for r in rows
                                                      if layouts[r.task_id].test is None])
        notes += index_notes

    tasks: list[Task] = []
    untested: list[str] = []
    broken: list[str] = []
    no_folder = [r.task_id for r in rows if layouts[r.task_id].folder is None]
    for r in rows:
        layout = layouts[r.task_id]
        prompt = field(r.row, "prompt", r.where)
        insecure = field(r.row, "insecure_code", r.where, required=False)
        test = layout.test or other.get(r.task_id)
        functional = security = ""
        if test is None:
            untested.append(r.task_id)
        else:
            try:
                functional, security = convert_test(test, r.module)
            except DatasetError as err:
                broken.append(f"{r.task_id} ({err})")
        where_test = test.relative_to(root).as_posix() if test and root and \
            test.is_relative_to(root) else str(test or "none")
        explanation = (f"SALLM technique: {r.technique or '?'}; SALLM source: {r.src or '?'}; "
                       f"SALLM test: {where_test}")
        notes += [f"SALLM {r.task_id}: {n}" for n in layout.notes]
        tasks.append(make_task(
            r.where, id=r.task_id, cwe=[cwe_from(r.module, r.where, "the id's file part")],
            language="python", entry_point=last_python_def(prompt), code_prompt=prompt,
            insecure_reference=insecure, explanation=explanation, functional_test=functional,
            security_test=security,
            runtime=[m for m in third_party_imports(insecure or prompt) if m != r.module],
            requirements=layout.requirements, files=layout.files, source=SOURCE))
    if root is not None and no_folder and len(no_folder) < len(rows):
        notes.append(_named("without their {technique}/{source} folder beside dataset.jsonl",
                            no_folder))
    if root is None or (len(no_folder) == len(rows) and not other):
        notes.append("SALLM: no test folders found: pass SALLM's PythonDataset folder (or its "
                     "dataset.jsonl in place), or sallm:PATH?tests=DIR; no functional or "
                     "security tests, requirements or assets")
    elif untested:
        notes.append(_named("without a test", untested))
    if broken:
        notes.append(_named("whose test cannot be used", broken))
    missing = Counter(src.replace(r.module, "{module}") for r in rows
                      for src in dict.fromkeys(layouts[r.task_id].missing_copies))
    if missing:
        notes.append("SALLM: Dockerfile COPY sources that do not exist (nothing to lay; Docker "
                     "would stop there): " + ", ".join(f"{src!r} in {n} task(s)" for src, n in
                                                       missing.most_common()))
    if any(t.functional_test or t.security_test for t in tasks):
        notes.append("SALLM: test polarity is SALLM's own (not re-proved by vulnbench; "
                     "`vulnbench dataset check` shows where it holds here)")
    with_env = sum(bool(t.requirements) for t in tasks)
    if with_env:
        notes.append(f"SALLM: {with_env} task(s) run in an environment of their own built from "
                     "{module}_requirements.txt")
    return LoadedDataset(tasks, notes)
