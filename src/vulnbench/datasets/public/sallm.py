"""SALLM (GitHub ``s2e-lab/SALLM``, ``PythonDataset/dataset.jsonl``): JSON Lines with ``id``
(``Matching_Author_A_cwe502_0.py`` = ``{technique}_{source}_{file}.py``), ``technique``,
``source``, ``prompt`` and ``insecure_code``.

- Task ids are the source's ``id`` unchanged, so SALLM's published generations
  (``Generation/Output/*.jsonl``: the same fields plus ``output``) replay as they are.
- The CWE comes from the file part (``cwe502`` -> CWE-502); the assessment technique
  (Assertion / Tainted / Matching) and SALLM's ``source`` are kept in ``explanation``.
- Tests: SALLM's unittest files (one class per prompt, ``test_correctness`` and
  ``test_vulnerability``, importing the candidate as the module named after the file part)
  are read from ``sallm:PATH?tests=DIR`` or from a ``Tests``/``tests``/... folder beside the
  dataset file. A test file belongs to the prompt whose file part it imports (or whose name
  its folder or file carries). Each becomes two harness suites: ``test_correctness`` ->
  functional test, ``test_vulnerability`` (and other ``*vulnerab*``/``*secur*`` methods) ->
  security test. The wrapper aliases ``sys.modules[FILE_PART] = solution`` first, then runs
  the embedded unittest source and one method per top-level ``test_*`` function. The
  polarity of SALLM's tests is SALLM's (the issue notes some are inverted); not re-proved."""

from __future__ import annotations

import ast
import re
from pathlib import Path

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
from vulnbench.errors import DatasetError
from vulnbench.records import Task

SOURCE = "sallm"
_FILE_PART = re.compile(r"([A-Za-z]+_cwe\d+_\d+)(?:\.py)?$", re.IGNORECASE)
_IMPORT = re.compile(r"^\s*(?:from\s+([A-Za-z_]\w*)\s+import|import\s+([A-Za-z_]\w*))",
                     re.MULTILINE)
TEST_DIR_NAMES = ("Tests", "tests", "Test", "test", "UnitTests", "unit_tests", "testcases")

_WRAPPER = '''"""SALLM test {test_file!r} for {module!r}, run by vulnbench's harness ({suite})."""
import sys
import types
import unittest

import solution

sys.modules[{module!r}] = solution

_SOURCE = {source!r}
_tests = types.ModuleType("sallm_test_{module}")
_tests.__file__ = "sallm_test_{module}.py"
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


def _split_path(path: str) -> tuple[str, str | None]:
    """``PATH?tests=DIR`` -> ``(PATH, DIR)``."""
    if "?tests=" in path:
        file, _, tests = path.rpartition("?tests=")
        return file, tests
    return path, None


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


def _index_tests(tests_dir: Path, modules: set[str]) -> dict[str, Path]:
    """file part -> the test file for it."""
    found: dict[str, Path] = {}
    for file in sorted(tests_dir.rglob("*.py")):
        if file.stem in modules:  # a copy of the prompt's module, not its test
            continue
        text = read_text(file)
        imported = {a or b for a, b in _IMPORT.findall(text)} & modules
        named = {m for m in modules if m in file.stem or m == file.parent.name}
        for module in sorted(imported or named):
            if "TestCase" in text and module not in found:
                found[module] = file
    return found


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


def _is_security(method: str) -> bool:
    name = method.lower()
    return "vulnerab" in name or "secur" in name


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


def load(path: str) -> LoadedDataset:
    file_spec, tests_spec = _split_path(path)
    file = local_file(SOURCE, file_spec)
    rows = []
    seen: dict[str, str] = {}
    for where, row in read_jsonl(file):
        task_id = field(row, "id", where)
        technique = field(row, "technique", where, required=False)
        src = field(row, "source", where, required=False)
        check_unique(task_id, where, seen)
        rows.append((where, row, task_id, technique, src, file_part(task_id, technique, src)))

    tests_dir: Path | None = None
    if tests_spec is not None:
        tests_dir = Path(tests_spec).expanduser()
        if not tests_dir.is_dir():
            raise DatasetError(f"sallm: tests folder not found: {tests_dir}")
    elif not is_url(file_spec):
        tests_dir = _find_tests_dir(file)
    tests = _index_tests(tests_dir, {r[5] for r in rows}) if tests_dir else {}

    tasks: list[Task] = []
    untested = []
    for where, row, task_id, technique, src, module in rows:
        prompt = field(row, "prompt", where)
        insecure = field(row, "insecure_code", where, required=False)
        functional = security = ""
        if module in tests:
            functional, security = convert_test(tests[module], module)
        else:
            untested.append(task_id)
        explanation = f"SALLM technique: {technique or '?'}; SALLM source: {src or '?'}"
        tasks.append(make_task(
            where, id=task_id, cwe=[cwe_from(module, where, "the id's file part")],
            language="python", entry_point=last_python_def(prompt), code_prompt=prompt,
            insecure_reference=insecure, explanation=explanation, functional_test=functional,
            security_test=security, runtime=third_party_imports(insecure or prompt),
            source=SOURCE))
    notes = ["SALLM: no secure reference, no text prompt"]
    if tests_dir is None:
        notes.append("SALLM: no tests folder given or found beside the dataset "
                     "(sallm:PATH?tests=DIR): no functional or security tests")
    elif untested:
        shown = ", ".join(untested[:5]) + (", ..." if len(untested) > 5 else "")
        notes.append(f"SALLM: {len(untested)} task(s) without a test in {tests_dir}: {shown}")
    if tests:
        notes.append("SALLM: test polarity is SALLM's own (not re-proved by vulnbench)")
    return LoadedDataset(tasks, notes)
