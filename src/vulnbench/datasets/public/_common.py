"""Shared helpers for the public-benchmark loaders: reading files (local or downloaded),
turning source records into validated ``Task`` records, and errors that name the record."""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from vulnbench.errors import DatasetError

# the shared JSON Lines reader, re-exported for the loaders
from vulnbench.jsonl import read_jsonl as read_jsonl
from vulnbench.jsonl import read_text as read_text
from vulnbench.records import Task, normalize_cwe

URL_RE = re.compile(r"^https?://", re.IGNORECASE)
CWE_IN_TEXT = re.compile(r"(?<![A-Za-z])CWE[-_ ]?0*([1-9]\d*)", re.IGNORECASE)
DOWNLOAD_TIMEOUT = 60


def cache_dir() -> Path:
    """Where downloaded source files are kept (``VULNBENCH_DATASET_CACHE`` overrides)."""
    root = os.environ.get("VULNBENCH_DATASET_CACHE") or "~/.cache/vulnbench/datasets"
    return Path(root).expanduser()


def is_url(path: str) -> bool:
    return bool(URL_RE.match(path))


def fetch(url: str) -> Path:
    """Download ``url`` once into the cache and return the local copy."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", url.rstrip("/").rsplit("/", 1)[-1].split("?")[0])
    target = cache_dir() / f"{hashlib.sha256(url.encode()).hexdigest()[:16]}-{name or 'data'}"
    if target.is_file():
        return target
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as resp:
            data = resp.read()
    except (urllib.error.URLError, OSError, ValueError) as err:
        reason = getattr(err, "reason", None) or err
        raise DatasetError(
            f"cannot download {url}: {reason} (is the network available? download the file "
            "yourself and pass its local path instead)") from None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        tmp.write_bytes(data)
        tmp.replace(target)
    except OSError as err:
        raise DatasetError(f"cannot write the download cache {target}: {err.strerror}") from None
    return target


def local_file(source: str, path: str) -> Path:
    """``path`` as a local file: downloaded first when it is an http(s) URL."""
    if not path:
        raise DatasetError(f"{source} needs a file: --dataset {source}:PATH (or an http(s) URL)")
    local = fetch(path) if is_url(path) else Path(path).expanduser()
    if not local.is_file():
        raise DatasetError(f"{source}: no such file: {local}")
    return local


def local_dir(source: str, path: str) -> Path:
    if not path:
        raise DatasetError(f"{source} needs a folder: --dataset {source}:PATH")
    if is_url(path):
        raise DatasetError(f"{source} reads a folder of files; a URL is not supported "
                           f"({path}): clone the repository and pass the local folder")
    local = Path(path).expanduser()
    if not local.is_dir():
        raise DatasetError(f"{source}: no such folder: {local}")
    return local


def read_json_array(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """``(where, object)`` per element of a JSON array; ``where`` is ``file[index]``."""
    text = read_text(path)
    if not text.strip():
        raise DatasetError(f"{path}: empty file, no records in it")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise DatasetError(f"{path}:{err.lineno}: invalid JSON: {err.msg}") from None
    if not isinstance(data, list):
        raise DatasetError(f"{path}: expected a JSON array of records, got "
                           f"{type(data).__name__}")
    out = []
    for i, obj in enumerate(data):
        if not isinstance(obj, dict):
            raise DatasetError(f"{path}[{i}]: expected a JSON object, got {type(obj).__name__}")
        out.append((f"{path}[{i}]", obj))
    return out


def field(obj: dict[str, Any], key: str, where: str, *, required: bool = True) -> str:
    """A string field; a missing or non-string required field names the record."""
    value = obj.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise DatasetError(f"{where}: missing field {key!r}")
        return ""
    if not isinstance(value, str | int | float):
        raise DatasetError(f"{where}: field {key!r} must be a string, got "
                           f"{type(value).__name__}")
    return str(value)


def cwe_from(text: str, where: str, what: str) -> str:
    """The last CWE number in ``text`` (``cwe502``, ``CWE-020``) as ``CWE-502``."""
    found = CWE_IN_TEXT.findall(text)
    if not found:
        raise DatasetError(f"{where}: no CWE in {what} {text!r}; every task needs a CWE")
    return normalize_cwe(found[-1])


def make_task(where: str, **fields: Any) -> Task:
    try:
        return Task.model_validate(fields)
    except ValidationError as err:
        parts = []
        for e in err.errors():
            loc = ".".join(str(x) for x in e["loc"]) or "(record)"
            parts.append(f"field {loc!r}: {e['msg']}")
        raise DatasetError(f"{where} (task {fields.get('id', '?')!r}): "
                           + "; ".join(parts)) from None


def unique_id(wanted: str, seen: set[str]) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3``, ... for repeats, in file order."""
    candidate, n = wanted, 1
    while candidate in seen:
        n += 1
        candidate = f"{wanted}-{n}"
    seen.add(candidate)
    return candidate


def check_unique(task_id: str, where: str, seen: dict[str, str]) -> None:
    if task_id in seen:
        raise DatasetError(f"{where}: duplicate task id {task_id!r} (first in {seen[task_id]})")
    seen[task_id] = where


_DEF_RE = re.compile(r"^\s*(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(", re.MULTILINE)


def last_python_def(code: str) -> str | None:
    """The name of the last ``def`` in ``code`` (the function a prompt asks for)."""
    names = _DEF_RE.findall(code)
    return names[-1] if names else None


def third_party_imports(code: str) -> list[str]:
    """Top-level modules imported by ``code`` that are not in the standard library (the task's
    runtime needs); empty when the code does not parse."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return []
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return sorted(n for n in names if n not in sys.stdlib_module_names)


def comment_stub(text: str, language: str, source: str) -> str:
    """A code prompt for a source that has only a natural-language prompt: the prompt as a
    comment, so completion models see the request (Task needs a non-empty code prompt)."""
    lines = [ln.rstrip() for ln in text.strip().splitlines()] or [""]
    head = f"{source} gives a natural-language prompt only:"
    if language == "c":
        return "\n".join([f"// {head}", *[f"// {ln}" if ln else "//" for ln in lines]]) + "\n"
    return "\n".join([f"# {head}", *[f"# {ln}" if ln else "#" for ln in lines]]) + "\n"
