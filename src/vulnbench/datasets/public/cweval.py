"""CWEval (GitHub ``Co1lin/CWEval``): tasks under ``benchmark/core/{py,c,cpp,go,js}/``, test
dependencies in ``requirements/core.txt`` at the repository root.

PATH is the repository root, ``benchmark/core`` or its ``py`` / ``c`` folder; Python and C
tasks load, every other file is counted (tasks of other languages, per language) or named
(files matching no pattern) in the notes. Task ids are ``cweval-{py|c}-cwe_XXX_N``.

- Python: ``cwe_XXX_N_task.py`` (the secure reference; the prompt is the file up to ``BEGIN
  SOLUTION``, else up to the docstring of its first documented function) and
  ``cwe_XXX_N_test.py``, whose ``{entry}_unsafe`` function becomes the insecure reference
  (``cweval_py``).
- C: ``cwe_XXX_N_c_task.c`` / ``_c_unsafe.c`` / ``_c_test.py``, built in the sandbox with
  CWEval's flags (``cweval_c``).
- Tests are converted to the harness's form (``_pytest_shim``): functionality cases ->
  functional test, security cases -> security test; ``_unsafe`` tests (CWEval's oracle checks
  of its own unsafe variant) are left out.
- ``requirements``: the distributions the task and its test import (``Crypto`` ->
  pycryptodome, ...), as ``requirements/core.txt`` specifies them when PATH lies in a checkout,
  else as CWEval publishes them; pytest itself is never needed (the shim stands in)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import canonicalize_name

from vulnbench.datasets.public import LoadedDataset
from vulnbench.datasets.public._common import (
    cwe_from,
    local_dir,
    make_task,
    read_text,
    third_party_imports,
)
from vulnbench.datasets.public._pytest_shim import wrapper
from vulnbench.datasets.public._requirements import parse_requirements
from vulnbench.datasets.public.cweval_c import (
    DEV_PACKAGES,
    c_prompt,
    c_suites,
    entrypoint,
    host_build_problem,
)
from vulnbench.datasets.public.cweval_py import insecure_reference, python_prompt
from vulnbench.errors import DatasetError
from vulnbench.records import Task

SOURCE = "cweval"
LANGS = ("py", "c")
OTHER = ("cpp", "go", "js", "rs", "java")
# CWEval's requirements/core.txt (its test dependencies), used when PATH is not in a checkout
PUBLISHED = ("pytest", "pytest-xdist", "pytest-timeout", "wrapt_timeout_decorator", "requests",
             "lxml", "pyyaml", "PyJWT", "argon2-cffi", "pycryptodome", "natsort", "fire")
# import name -> distribution, where they differ
DISTRIBUTIONS = {"yaml": "pyyaml", "jwt": "PyJWT", "argon2": "argon2-cffi",
                 "Crypto": "pycryptodome", "Cryptodome": "pycryptodomex"}
# stood in for by the harness's pytest shim: never installed
TEST_RUNNER = frozenset({"pytest", "_pytest", "xdist", "pytest_timeout"})
_PATTERNS = {
    "py": {"task": re.compile(r"^(cwe_\d+_\d+)_task\.py$"),
           "test": re.compile(r"^(cwe_\d+_\d+)_test\.py$")},
    "c": {"task": re.compile(r"^(cwe_\d+_\d+)_c_task\.c$"),
          "unsafe": re.compile(r"^(cwe_\d+_\d+)_c_unsafe\.c$"),
          "test": re.compile(r"^(cwe_\d+_\d+)_c_test\.py$")},
}


def _normal(name: str) -> str:
    return canonicalize_name(name)


@dataclass
class _Report:
    """What the loader did not load, for the notes."""

    unmatched: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    others: dict[str, int] = field(default_factory=dict)
    gaps: dict[str, list[str]] = field(default_factory=dict)
    guessed: set[str] = field(default_factory=set)

    def gap(self, what: str, task_id: str) -> None:
        self.gaps.setdefault(what, []).append(task_id)


class _Requirements:
    """Maps a task's imports to pip requirement specifiers."""

    def __init__(self, core_txt: Path | None) -> None:
        self.origin = str(core_txt) if core_txt else "CWEval's published list"
        specs, _options = parse_requirements(
            read_text(core_txt) if core_txt else "\n".join(PUBLISHED))
        self.specs: dict[str, str] = {}
        for spec in specs:
            match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", spec)
            if match:
                self.specs[_normal(match.group(0))] = spec

    def of(self, modules: list[str], report: _Report) -> list[str]:
        out = []
        for module in modules:
            dist = DISTRIBUTIONS.get(module, module)
            spec = self.specs.get(_normal(dist))
            if spec is None:
                report.guessed.add(module if dist == module else f"{module} -> {dist}")
            out.append(spec or dist)
        return sorted(set(out), key=str.lower)


def _layout(root: Path) -> tuple[Path, list[Path], Path | None]:
    """(folder holding the language folders, the py/c folders to load, requirements/core.txt)."""
    core, lang = root, None
    if (root / "benchmark" / "core").is_dir():
        core = root / "benchmark" / "core"
    elif (root / "core").is_dir() and root.name == "benchmark":
        core = root / "core"
    elif root.name in LANGS:
        core, lang = root.parent, root
    elif root.name in OTHER:
        raise DatasetError(f"{root}: vulnbench loads CWEval's py/ and c/ tasks, not {root.name}/")
    checkout = core.parent.parent if core.name == "core" else None
    core_txt = checkout / "requirements" / "core.txt" if checkout else None
    dirs = [lang] if lang else [core / n for n in LANGS if (core / n).is_dir()]
    return core, dirs, core_txt if core_txt and core_txt.is_file() else None


def _classify(lang_dir: Path, report: _Report) -> dict[str, dict[str, Path]]:
    """base -> {kind: file} of the files matching a pattern; the rest go to the report."""
    found: dict[str, dict[str, Path]] = {}
    for file in sorted(p for p in lang_dir.iterdir() if p.is_file()):
        for kind, pattern in _PATTERNS[lang_dir.name].items():
            match = pattern.match(file.name)
            if match:
                found.setdefault(match.group(1), {})[kind] = file
                break
        else:
            report.unmatched.append(f"{lang_dir.name}/{file.name}")
    for base, files in list(found.items()):
        if "task" not in files:
            report.orphans += [f"{lang_dir.name}/{f.name}" for f in files.values()]
            del found[base]
    return found


def _python_task(base: str, files: dict[str, Path], reqs: _Requirements,
                 report: _Report) -> Task:
    task_file, task_id = files["task"], f"cweval-py-{base}"
    code = read_text(task_file)
    if not code.strip():
        raise DatasetError(f"{task_file}: empty task file")
    prompt, entry = python_prompt(code, str(task_file))
    functional = security = insecure = ""
    modules = third_party_imports(code)
    if "test" in files:
        source = read_text(files["test"])
        functional = wrapper(files["test"].name, source, "functional", module=task_file.stem)
        if re.search(r"secur", source, re.IGNORECASE):
            security = wrapper(files["test"].name, source, "security", module=task_file.stem)
        else:
            report.gap("Python test file(s) with no security cases", task_id)
        insecure, why = insecure_reference(code, source, entry, task_file.stem)
        if why:
            report.gap(f"Python task(s) without an insecure reference ({why})", task_id)
        modules += third_party_imports(source)
    else:
        report.gap("Python task(s) without a _test.py file (no tests, no insecure reference)",
                   task_id)
    modules = sorted({m for m in modules if m not in TEST_RUNNER and m != task_file.stem})
    return make_task(
        str(task_file), id=task_id, cwe=[cwe_from(base, str(task_file), "file name")],
        language="python", entry_point=entry or None, code_prompt=prompt,
        secure_reference=code, insecure_reference=insecure, functional_test=functional,
        security_test=security, runtime=modules, requirements=reqs.of(modules, report),
        source=SOURCE)


def _c_task(base: str, files: dict[str, Path], reqs: _Requirements, report: _Report) -> Task:
    task_file, task_id = files["task"], f"cweval-c-{base}"
    code = read_text(task_file)
    if not code.strip():
        raise DatasetError(f"{task_file}: empty task file")
    prompt, entry = c_prompt(code, str(task_file))
    insecure = read_text(files["unsafe"]) if "unsafe" in files else ""
    if not insecure:
        report.gap("C task(s) without a _c_unsafe.c file (no insecure reference)", task_id)
    functional = security = ""
    modules: list[str] = []
    if "test" in files:
        source = read_text(files["test"])
        functional, security = c_suites(files["test"], source, f"{base}_c",
                                        entrypoint(code, entry))
        if not security:
            report.gap("C test file(s) with no security cases", task_id)
        modules = [m for m in third_party_imports(source) if m not in TEST_RUNNER]
    else:
        report.gap("C task(s) without a _c_test.py file (no tests)", task_id)
    return make_task(
        str(task_file), id=task_id, cwe=[cwe_from(base, str(task_file), "file name")],
        language="c", entry_point=entry or None, code_prompt=prompt, secure_reference=code,
        insecure_reference=insecure, functional_test=functional, security_test=security,
        runtime=modules, requirements=reqs.of(modules, report), source=SOURCE)


def load(path: str) -> LoadedDataset:
    root = local_dir(SOURCE, path).resolve()  # "." names no folder
    core, dirs, core_txt = _layout(root)
    if not dirs:
        raise DatasetError(f"{root}: no py/ or c/ folder of CWEval tasks (give the repository "
                           "root, benchmark/core or one of its language folders)")
    report = _Report()
    if root not in dirs:  # the whole benchmark: say what the other folders hold
        for sub in sorted(p for p in core.iterdir() if p.is_dir() and p.name not in LANGS):
            if sub.name in OTHER:
                report.others[sub.name] = sum(1 for f in sub.iterdir()
                                              if re.search(r"_task\.\w+$", f.name))
            else:
                report.unmatched.append(f"{sub.name}/ (folder)")
    reqs = _Requirements(core_txt)
    tasks: list[Task] = []
    for lang_dir in dirs:
        make = _python_task if lang_dir.name == "py" else _c_task
        for base, files in _classify(lang_dir, report).items():
            tasks.append(make(base, files, reqs, report))
    return LoadedDataset(tasks, _notes(tasks, report, reqs))


def _notes(tasks: list[Task], report: _Report, reqs: _Requirements) -> list[str]:
    per_lang = {lang: sum(t.language == lang for t in tasks) for lang in ("python", "c")}
    notes = [f"CWEval: loaded {per_lang['python']} Python and {per_lang['c']} C task(s); no "
             "text prompt", f"CWEval: test requirements from {reqs.origin}"]
    for what, ids in report.gaps.items():
        notes.append(f"CWEval: {len(ids)} {what}: {', '.join(ids)}")
    if report.others:
        notes.append("CWEval: skipped tasks in languages vulnbench does not run: "
                     + ", ".join(f"{k} {v}" for k, v in sorted(report.others.items())))
    if report.orphans:
        notes.append(f"CWEval: skipped {len(report.orphans)} file(s) without a task file: "
                     + ", ".join(report.orphans))
    if report.unmatched:
        notes.append(f"CWEval: skipped {len(report.unmatched)} file(s) matching no CWEval "
                     "pattern: " + ", ".join(report.unmatched))
    if report.guessed:
        notes.append("CWEval: imports not covered by the test requirements, installed by "
                     "name: " + ", ".join(sorted(report.guessed)))
    if per_lang["c"] and (problem := host_build_problem()):
        notes.append(f"CWEval: C tasks cannot be built here ({problem}): install gcc and "
                     f"{DEV_PACKAGES} (scripts/setup.sh)")
    return notes
