"""SALLM's published folder layout: ``PythonDataset/{technique}/{source}/`` holds, per task,
``{module}.py`` (the insecure program), ``test_{module}.py``, ``{module}_requirements.txt`` and
``{module}_Dockerfile``, plus ``assets/``, ``static/`` and ``templates/`` shared by the folder.

Module names repeat across technique folders with different code (``A_cwe502_0`` in
``Assertion/Author`` and ``Matching/Author``), so everything of a task is read from its own
folder, never looked up by module name alone.

The files a task's tests need are what its Dockerfile copies into ``WORKDIR`` (its ``COPY``/
``ADD`` lines, with Docker's semantics: a directory source copies its contents) together with
the folder's asset folders at their relative paths (tests open ``./static/dummy.png``; Flask
looks in ``templates/``) and any other sub-folder the module or test names in a path
(``Database/database.db``). The module, tests, requirement files and Dockerfiles of the folder's
tasks are never laid: the candidate stands in for the module, the test is embedded."""

from __future__ import annotations

import base64
import glob
import json
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from vulnbench.datasets.public._requirements import read_requirements
from vulnbench.records import TaskFile

ASSET_DIRS = ("assets", "static", "templates")
MAX_FILE_BYTES = 1 << 20  # larger files are left out with a note (tests open small assets)


@dataclass
class TaskLayout:
    """What a task's own folder gives it."""

    folder: Path | None = None
    test: Path | None = None
    requirements: list[str] = field(default_factory=list)
    files: list[TaskFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing_copies: list[str] = field(default_factory=list)  # COPY sources not found


def find_folder(root: Path, technique: str, source: str) -> Path | None:
    """``root/technique/source``, matching folder names case-insensitively."""
    here = root
    for part in (technique, source):
        if not part:
            return None
        exact = here / part
        if exact.is_dir():
            here = exact
            continue
        match = [d for d in sorted(here.iterdir()) if d.is_dir() and d.name.lower() ==
                 part.lower()] if here.is_dir() else []
        if not match:
            return None
        here = match[0]
    return here


def _excluded(path: Path, folder: Path) -> bool:
    """The folder's own programs, tests, requirement files and Dockerfiles (the candidate
    stands in for the module, the test is embedded), and hidden files (``.DS_Store``)."""
    if path.name.startswith("."):
        return True
    return path.parent == folder and (path.suffix == ".py" or path.name.endswith(
        ("_Dockerfile", "_requirements.txt")))


def _instructions(text: str) -> Iterator[tuple[str, str]]:
    """(INSTRUCTION, arguments) per logical Dockerfile line (continuations joined)."""
    logical = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not logical and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            logical += line[:-1] + " "
            continue
        logical += line
        word, _, rest = logical.strip().partition(" ")
        yield word.upper(), rest.strip()
        logical = ""
    if logical.strip():
        word, _, rest = logical.strip().partition(" ")
        yield word.upper(), rest.strip()


def _copy_args(rest: str) -> list[str]:
    if rest.startswith("["):
        try:
            items = json.loads(rest)
        except json.JSONDecodeError:
            return []
        return [str(x) for x in items] if isinstance(items, list) else []
    return [a for a in rest.split() if not a.startswith("--")]


def _matches(pattern: str, contexts: list[Path]) -> list[Path]:
    """The build-context paths a COPY source names (the task folder first, then the root)."""
    pattern = pattern.lstrip("/").removeprefix("./") or "."
    for context in contexts:
        if glob.has_magic(pattern):
            found = sorted(Path(p) for p in glob.glob(str(context / pattern)))
        else:
            found = [context / pattern] if (context / pattern).exists() else []
        if found:
            return found
    return []


def docker_copies(dockerfile: Path, contexts: list[Path]) -> tuple[dict[str, Path], list[str]]:
    """Where the Dockerfile's COPY/ADD lines put each file, relative to its final WORKDIR
    (later copies win, as in the image), and the sources it names that do not exist."""
    steps = list(_instructions(dockerfile.read_text(encoding="utf-8", errors="replace")))
    workdir = "/"
    for word, rest in steps:
        if word == "WORKDIR" and rest:
            workdir = posixpath.normpath(posixpath.join(workdir, rest.strip("\"'")))
    final, workdir = workdir, "/"
    dirs = {final}
    placed: dict[str, Path] = {}
    missing: list[str] = []
    for word, rest in steps:
        if word == "WORKDIR" and rest:
            workdir = posixpath.normpath(posixpath.join(workdir, rest.strip("\"'")))
            dirs.add(workdir)
        if word not in ("COPY", "ADD"):
            continue
        args = _copy_args(rest)
        if len(args) < 2 or "://" in rest:
            continue
        *sources, dest = args
        target = posixpath.normpath(posixpath.join(workdir, dest))
        many = len(sources) > 1 or any(glob.has_magic(s) for s in sources)
        as_dir = dest.endswith("/") or many or target in dirs
        for source in sources:
            found = _matches(source, contexts)
            if not found:
                missing.append(source)
            for src in found:
                if src.is_dir():  # Docker copies a directory's contents, not the directory
                    files = [(f, f.relative_to(src).as_posix()) for f in sorted(src.rglob("*"))
                             if f.is_file()]
                else:
                    files = [(src, src.name if as_dir else "")]
                for file, rel in files:
                    at = posixpath.join(target, rel) if rel else target
                    if at.startswith(final.rstrip("/") + "/"):
                        placed[posixpath.relpath(at, final)] = file
                    dirs.add(posixpath.dirname(at))
    return placed, missing


def _task_file(rel: str, path: Path) -> TaskFile:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    if data and (not text or "\0" in text):
        return TaskFile(path=rel, content=base64.b64encode(data).decode("ascii"),
                        encoding="base64")
    return TaskFile(path=rel, content=text)


def _named_dirs(folder: Path, sources: list[str]) -> list[str]:
    """The folder's other sub-folders that the module or its test names in a path
    (``Tainted/Author/Database`` for ``sqlite3.connect("Database/database.db")``)."""
    names = [d.name for d in sorted(folder.iterdir()) if d.is_dir() and
             not d.name.startswith(".") and d.name not in ASSET_DIRS]
    text = "\n".join(sources)
    return [n for n in names if re.search(rf"(?<![\w.]){re.escape(n)}(?=[/\\'\"])", text)]


def task_files(folder: Path, root: Path, module: str, sources: list[str] | None = None
               ) -> tuple[list[TaskFile], list[str], list[str]]:
    """The files laid into the work dir for one task (``sources``: the module's and test's
    text, for the folders they open), notes on files left out, and the Dockerfile's COPY
    sources that do not exist."""
    wanted: dict[str, Path] = {}
    notes: list[str] = []
    missing: list[str] = []
    for name in [*ASSET_DIRS, *_named_dirs(folder, sources or [])]:
        base = folder / name
        if base.is_dir():
            for file in sorted(base.rglob("*")):
                if file.is_file():
                    wanted[file.relative_to(folder).as_posix()] = file
    dockerfile = folder / f"{module}_Dockerfile"
    if dockerfile.is_file():
        copies, missing = docker_copies(dockerfile, [folder, root])
        wanted.update(copies)
    out: list[TaskFile] = []
    for rel, path in sorted(wanted.items()):
        if _excluded(path, folder) or any(p.startswith(".") for p in rel.split("/")):
            continue
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            notes.append(f"{path.relative_to(root)} left out ({size} bytes, over "
                         f"{MAX_FILE_BYTES})")
            continue
        out.append(_task_file(rel, path))
    return out, notes, missing


def read_layout(root: Path, technique: str, source: str, module: str) -> TaskLayout:
    """Test, requirements and files of one task from its own ``{technique}/{source}`` folder;
    an empty layout when the folder does not exist (a bare ``dataset.jsonl``)."""
    folder = find_folder(root, technique, source)
    if folder is None:
        return TaskLayout()
    layout = TaskLayout(folder=folder)
    test = folder / f"test_{module}.py"
    layout.test = test if test.is_file() else None
    req_file = folder / f"{module}_requirements.txt"
    if req_file.is_file():
        layout.requirements, ignored = read_requirements(req_file)
        if ignored:
            layout.notes.append(f"{req_file.name}: pip options not followed: "
                                + ", ".join(ignored))
    sources = [p.read_text(encoding="utf-8", errors="replace") for p in
               (folder / f"{module}.py", test) if p.is_file()]
    layout.files, file_notes, layout.missing_copies = task_files(folder, root, module, sources)
    layout.notes = list(dict.fromkeys(layout.notes + file_notes))
    return layout
