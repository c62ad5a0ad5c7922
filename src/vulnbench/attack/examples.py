"""Inversion examples: vulnerable programs split into a non-secure prompt (the first lines,
free of the flaw) and the vulnerable rest (CodeLMSec §IV-A). They come from the built-in
benchmark (its insecure references start with the code prompt) or from a user's file, and the
prompt's import lines prime the model for the language at the end of a few-shot prompt."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from vulnbench.cwe import in_family
from vulnbench.errors import DatasetError
from vulnbench.jsonl import parse_jsonl, read_text
from vulnbench.records import Task, normalize_cwe

from .records import InversionExample

# what ends a few-shot prompt when the target's prompt has no import lines of its own
DEFAULT_PRIMER: dict[str, str] = {"python": "import os\n", "c": "#include <stdio.h>\n"}

_LEADING_BLANK = re.compile(r"\A(?:[ \t\f\v\r]*\n)+")
_PY_IMPORT = re.compile(r"(?:import|from)[ \t]")
_FIELDS = frozenset({"id", "cwe", "language", "prompt", "vulnerable", "code", "split_line",
                     "source"})
_NEEDS = "needs `vulnerable`, or `code` with `prompt` or `split_line`"


def _drop_leading_blank(text: str) -> str:
    return _LEADING_BLANK.sub("", text)


def split_task(task: Task) -> InversionExample | None:
    """The task's insecure reference split at its code prompt; None when the task has no
    insecure reference or CWE, the reference does not start with the prompt, or nothing but
    blank lines follows the prompt (there would be no flaw to show)."""
    if not task.insecure_reference or not task.cwe:
        return None
    prompt = _drop_leading_blank(task.code_prompt)
    reference = _drop_leading_blank(task.insecure_reference)
    if not prompt.strip() or not reference.startswith(prompt):
        return None
    rest = reference[len(prompt):]
    if not rest.strip():
        return None
    return InversionExample(id=task.id, cwe=task.cwe[0], language=task.language, prompt=prompt,
                            vulnerable=rest, source=task.source or "builtin")


def builtin_examples() -> list[InversionExample]:
    """Every task of the built-in benchmark that splits, sorted by id."""
    from vulnbench.datasets import load_dataset  # late: the datasets package is heavy

    found = (split_task(t) for t in load_dataset("builtin").tasks)
    return sorted((e for e in found if e is not None), key=lambda e: e.id)


# -- user files ---------------------------------------------------------------------------

def _records(path: Path) -> Iterator[tuple[str, Any]]:
    """``(where, record)`` per record of a JSONL, JSON (list) or TOML (``[[example]]``) file."""
    suffix = path.suffix.lower()
    if suffix not in {".jsonl", ".json", ".toml"}:
        raise DatasetError(f"{path}: unsupported examples file type (use .jsonl, .json or "
                           ".toml)")
    text = read_text(path)  # a non-UTF-8 file is a DatasetError naming the byte
    if not text.strip():
        raise DatasetError(f"{path}: empty file, no examples in it")
    if suffix == ".jsonl":
        yield from parse_jsonl(text, path)
        return
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise DatasetError(f"{path}:{err.lineno}: invalid JSON: {err.msg}") from None
        if not isinstance(data, list):
            raise DatasetError(f"{path}: expected a JSON list of example objects, got "
                               f"{type(data).__name__}")
        items: list[Any] = data
    else:
        try:
            table = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise DatasetError(f"{path}: invalid TOML: {err}") from None
        raw = table.get("example")
        if not isinstance(raw, list):
            raise DatasetError(f"{path}: expected [[example]] tables, found keys "
                               f"{sorted(table) or 'none'}")
        items = raw
    for i, item in enumerate(items, 1):
        yield f"{path}: record {i}", item


def _text(rec: dict[str, Any], key: str, where: str) -> str | None:
    value = rec.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise DatasetError(f"{where}: `{key}` must be a string, got {type(value).__name__}")
    return value


def _split(rec: dict[str, Any], where: str) -> tuple[str, str]:
    """(prompt, vulnerable) from whichever of the three record shapes ``rec`` has."""
    prompt = _text(rec, "prompt", where)
    vulnerable = _text(rec, "vulnerable", where)
    code = _text(rec, "code", where)
    split_line = rec.get("split_line")
    if vulnerable is not None and (code is not None or split_line is not None):
        raise DatasetError(f"{where}: give either `prompt` + `vulnerable` or `code`, not both")
    if vulnerable is not None:
        if prompt is None:
            raise DatasetError(f"{where}: `vulnerable` needs its `prompt`")
        prompt = _drop_leading_blank(prompt)
        if prompt and not prompt.endswith("\n") and not vulnerable.startswith("\n"):
            prompt += "\n"  # the two parts are whole lines: code = prompt + vulnerable
        return prompt, vulnerable
    if code is None:
        raise DatasetError(f"{where}: {_NEEDS}")
    code = _drop_leading_blank(code)
    if prompt is not None and split_line is not None:
        raise DatasetError(f"{where}: give `code` with `prompt` or with `split_line`, not both")
    if prompt is not None:
        prompt = _drop_leading_blank(prompt)
        if not prompt.strip() or not code.startswith(prompt):
            raise DatasetError(f"{where}: `code` does not start with `prompt`")
        return prompt, code[len(prompt):]
    if split_line is None:
        raise DatasetError(f"{where}: {_NEEDS}")
    lines = code.splitlines(keepends=True)
    if isinstance(split_line, bool) or not isinstance(split_line, int) \
            or not 2 <= split_line <= len(lines):
        raise DatasetError(f"{where}: `split_line` must be a line number from 2 to "
                           f"{len(lines)} (the first line of the vulnerable part), got "
                           f"{split_line!r}")
    return "".join(lines[:split_line - 1]), "".join(lines[split_line - 1:])


def _example(rec: Any, where: str, default_id: str, source: str) -> InversionExample:
    if not isinstance(rec, dict):
        raise DatasetError(f"{where}: expected an object with example fields, got "
                           f"{type(rec).__name__}")
    unknown = sorted(set(rec) - _FIELDS)
    if unknown:
        raise DatasetError(f"{where}: unknown field(s) {', '.join(unknown)}; an example has "
                           f"{', '.join(sorted(_FIELDS))}")
    raw_cwe = rec.get("cwe")
    if raw_cwe is None:
        raise DatasetError(f"{where}: needs `cwe` (e.g. 'CWE-89')")
    try:
        cwe = normalize_cwe(raw_cwe)
    except (ValueError, TypeError):
        raise DatasetError(f"{where}: `cwe` is not a CWE id: {raw_cwe!r} (expected e.g. "
                           "'CWE-89')") from None
    language = rec.get("language", "python")
    if language not in ("python", "c"):
        raise DatasetError(f"{where}: `language` must be python or c, got {language!r}")
    ident = rec.get("id", default_id)
    if not isinstance(ident, str) or not ident.strip():
        raise DatasetError(f"{where}: `id` must be a non-empty string, got {ident!r}")
    prompt, vulnerable = _split(rec, where)
    if not prompt.strip():
        raise DatasetError(f"{where}: the prompt part is blank")
    if not vulnerable.strip():
        raise DatasetError(f"{where}: the vulnerable part is blank (nothing after the prompt)")
    try:
        return InversionExample(id=ident, cwe=cwe, language=language, prompt=prompt,
                                vulnerable=vulnerable,
                                source=_text(rec, "source", where) or source)
    except ValidationError as err:  # a guard: the checks above cover the fields
        raise DatasetError(f"{where}: {err.errors()[0]['msg']}") from None


def load_examples(path: Path) -> list[InversionExample]:
    """A user's examples, in file order. Errors name the file and line (JSONL) or record
    number, and what to fix; duplicate ids are an error."""
    out: list[InversionExample] = []
    seen: dict[str, str] = {}
    for n, (where, rec) in enumerate(_records(path), 1):
        example = _example(rec, where, f"{path.stem}-{n}", path.name)
        if example.id in seen:
            raise DatasetError(f"{where}: duplicate example id {example.id!r} (first at "
                               f"{seen[example.id]})")
        seen[example.id] = where
        out.append(example)
    if not out:
        raise DatasetError(f"{path}: no examples in it")
    return out


# -- choosing and priming -----------------------------------------------------------------

def examples_for(examples: Sequence[InversionExample], cwe: str, language: str,
                 count: int) -> list[InversionExample]:
    """Up to ``count`` examples of ``language`` for a targeted CWE: those of the CWE itself
    first, then, when short, those of its family (CWE-23 for CWE-22), each group by id."""
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    target = normalize_cwe(cwe)
    mine = [e for e in examples if e.language == language]
    same = sorted((e for e in mine if e.cwe == target), key=lambda e: e.id)
    if len(same) < count:
        kin = sorted((e for e in mine if e.cwe != target and in_family([e.cwe], [target])),
                     key=lambda e: e.id)
        same += kin
    return same[:count]


def _is_comment(line: str, language: str) -> bool:
    s = line.strip()
    if language == "python":
        return s.startswith("#")
    return s.startswith(("//", "/*", "*"))


def primer(prompt: str, language: str) -> str:
    """The leading import lines of ``prompt`` (Python ``import``/``from``, with parenthesized
    or backslash continuations; C ``#include``), blank and comment lines between them kept,
    up to the first other line: what ends a few-shot prompt (Listing 3 ends with ``import
    logging``). Comments before the first import are left out; "" when there is none."""
    kept: list[str] = []
    pending: list[str] = []  # blank/comment lines, kept only when an import follows
    depth = 0  # open parentheses (Python) / open block comment (C)
    cont = False  # inside an import's continuation
    for line in prompt.splitlines(keepends=True):
        if cont:
            kept.append(line)
            depth += line.split("#", 1)[0].count("(") - line.split("#", 1)[0].count(")")
            cont = depth > 0 or line.rstrip().endswith("\\")
            continue
        if language == "c" and depth:  # inside /* ... */
            if kept:
                pending.append(line)
            if "*/" in line:
                depth = 0
            continue
        if not line.strip() or _is_comment(line, language):
            if kept:
                pending.append(line)
            if language == "c" and "/*" in line and "*/" not in line.split("/*", 1)[1]:
                depth = 1
            continue
        if language == "python" and _PY_IMPORT.match(line):
            code = line.split("#", 1)[0]
            depth = code.count("(") - code.count(")")
            cont = depth > 0 or line.rstrip().endswith("\\")
        elif not (language == "c" and line.lstrip().startswith("#include")):
            break
        kept += pending
        pending = []
        kept.append(line)
    text = "".join(kept)
    return text if not text or text.endswith("\n") else text + "\n"


def primer_or_default(prompt: str, language: str) -> str:
    """``primer``, or the language's default import when the prompt has none."""
    return primer(prompt, language) or DEFAULT_PRIMER[language]
