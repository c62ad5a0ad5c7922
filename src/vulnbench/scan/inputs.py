"""What the user named, read into programs. Anything that cannot be read, or cannot be handed
to an analyzer as it is (too large, binary, not UTF-8, a folder with nothing to scan), becomes
a program carrying an ``error`` instead of being left out: the gate counts it as unscanned, so
a skipped file can never pass for a clean one."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from vulnbench.analyzers import MAX_BYTES
from vulnbench.errors import VulnbenchError
from vulnbench.jsonl import lines

LANG_BY_SUFFIX = {".py": "python", ".c": "c", ".h": "c"}
SKIP_DIRS = {".git", ".venv", "__pycache__", "node_modules", ".mypy_cache", ".tox"}
NOTHING_IN_FOLDER = "no .py, .c or .h files in this folder"


@dataclass
class ScanItem:
    id: str
    language: str
    code: str = ""
    path: str = ""  # source file (relative as given) for SARIF locations
    error: str = ""  # why the program could not be read or analyzed
    where: str = ""  # how messages name it: the path as given, or "rows.jsonl:3 (id a)"


def _problem(code: str) -> str:
    """Why decoded program text cannot go to an analyzer as it is; empty when it can."""
    if (nul := code.find("\x00")) >= 0:
        return f"binary file (NUL byte at offset {nul})"
    try:
        size = len(code.encode("utf-8"))
    except UnicodeEncodeError as exc:  # lone surrogates: from \ud800 in JSON or bad bytes
        return f"not UTF-8 text (invalid character at offset {exc.start})"
    if size > MAX_BYTES:
        return f"too large ({size} bytes > {MAX_BYTES})"
    return ""


def _read_file(path: Path, shown: str) -> ScanItem:
    item = ScanItem(shown, LANG_BY_SUFFIX.get(path.suffix.lower(), ""), path=shown, where=shown)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block the read forever
            item.error = "not a regular file"
            return item
        if info.st_size > MAX_BYTES:
            item.error = f"too large ({info.st_size} bytes > {MAX_BYTES})"
            return item
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)  # the file may have grown since stat
    except OSError as exc:
        item.error = f"cannot read: {exc.strerror or exc}"
        return item
    if (nul := data.find(b"\x00")) >= 0:
        item.error = f"binary file (NUL byte at offset {nul})"
        return item
    try:
        code = data.decode("utf-8-sig")  # a BOM is valid Python source, not a syntax error
    except UnicodeDecodeError as exc:
        item.error = f"not UTF-8 text (invalid byte at offset {exc.start})"
        return item
    item.error = _problem(code)
    item.code = "" if item.error else code
    return item


def _jsonl(path: Path, shown: str) -> list[ScanItem]:
    """One program per record. Bytes that are not UTF-8 are kept as lone surrogates so only
    the records holding them fail, each on its own."""
    try:
        text = path.read_bytes().decode("utf-8-sig", errors="surrogateescape")
    except OSError as exc:
        return [ScanItem(shown, "", path=shown, where=shown,
                         error=f"cannot read: {exc.strerror or exc}")]
    items = []
    # vulnbench.jsonl's line split: a raw U+2028 inside a JSON string is not a line break
    for n, line in lines(text):
        try:
            line.encode("utf-8")
            row = json.loads(line)
            sid, code = str(row["id"]), row["code"]
            if not isinstance(code, str):
                raise TypeError("code is not a string")
        except UnicodeEncodeError:
            items.append(ScanItem(f"{path.name}:{n}", "", path=shown, where=f"{shown}:{n}",
                                  error="bad JSONL line: not UTF-8 text"))
            continue
        except (ValueError, KeyError, TypeError) as exc:
            items.append(ScanItem(f"{path.name}:{n}", "", path=shown, where=f"{shown}:{n}",
                                  error=f"bad JSONL line: {exc}"))
            continue
        error = _problem(code)
        items.append(ScanItem(sid, str(row.get("language", "python")), "" if error else code,
                              path=sid, error=error, where=f"{shown}:{n} (id {sid})"))
    if not items:
        items.append(ScanItem(shown, "", path=shown, where=shown,
                              error="no programs in this JSONL file"))
    return items


def _folder(root: Path) -> list[ScanItem]:
    """Every .py/.c/.h file below ``root``. Symbolic links are followed, each real folder
    walked once (a link back up is a loop, not more files); a link that cannot be read and a
    folder that cannot be listed are errors, not silence."""
    items: list[ScanItem] = []

    def unlisted(exc: OSError) -> None:
        shown = str(exc.filename or root)
        items.append(ScanItem(shown, "", path=shown, where=shown,
                              error=f"cannot list folder: {exc.strerror or exc}"))

    walked: set[str] = set()
    for folder, dirs, files in os.walk(root, onerror=unlisted, followlinks=True):
        real = os.path.realpath(folder)
        if real in walked:
            dirs.clear()
            continue
        walked.add(real)
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            if Path(name).suffix.lower() in LANG_BY_SUFFIX:
                shown = os.path.join(folder, name)
                items.append(_read_file(Path(shown), shown))
    if not items:
        items.append(ScanItem(str(root), "", path=str(root), where=str(root),
                              error=NOTHING_IN_FOLDER))
    return items


def collect_inputs(paths: Iterable[Path]) -> list[ScanItem]:
    """Files (``.py``, ``.c``, ``.h``), folders (recursively) and ``.jsonl`` files. A file
    named explicitly with another suffix is unscanned: no analyzer covers it."""
    items: list[ScanItem] = []
    for path in paths:
        shown = str(path)
        if path.is_dir():
            items.extend(_folder(path))
        elif not path.exists() and not path.is_symlink():
            raise VulnbenchError(f"no such file or folder: {path}")
        elif path.suffix.lower() == ".jsonl":
            items.extend(_jsonl(path, shown))
        elif path.suffix.lower() in LANG_BY_SUFFIX:
            items.append(_read_file(path, shown))
        else:
            items.append(ScanItem(shown, "", path=shown, where=shown,
                                  error=f"unsupported file type {path.suffix or '(none)'}"))
    seen: dict[str, int] = {}
    for item in items:  # ids must be unique: the analyzers map results back by id
        if item.id in seen:
            seen[item.id] += 1
            item.id = f"{item.id}#{seen[item.id]}"
        else:
            seen[item.id] = 0
    return items
