"""The one JSON Lines reader: task files, public benchmarks and replayed generations all read
records here, so a file one of them accepts the others accept too, with the same errors.

Records are split on "\\n" only. ``str.splitlines()`` would also break at U+2028, U+2029 and
NEL (U+0085), which JSON allows raw inside strings (``ensure_ascii=False`` writers emit them),
so a valid record would be cut in two. A UTF-8 byte-order mark and CRLF
line ends are accepted; ``.gz`` files are decompressed first."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vulnbench.errors import DatasetError

_JSON_SPACE = " \t\r\n"  # what JSON itself counts as whitespace (not U+2028, NEL, ...)


def decode(raw: bytes, path: Path | str) -> str:
    """UTF-8 text without its byte-order mark; anything else names the file and the byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise DatasetError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from None


def read_text(path: Path) -> str:
    """The file as text (gunzipped when it ends in ``.gz``); errors name the file."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise DatasetError(f"{path}: cannot read ({err.strerror})") from None
    if path.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as err:
            raise DatasetError(f"{path}: not a valid gzip file ({err})") from None
    return decode(raw, path)


def lines(text: str) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` per record line: split on "\\n" only, a trailing "\\r" dropped,
    lines holding only JSON whitespace skipped."""
    for lineno, line in enumerate(text.split("\n"), 1):
        line = line.removesuffix("\r")
        if line.strip(_JSON_SPACE):
            yield lineno, line


def parse_jsonl(text: str, path: Path | str) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(where, object)`` per record of ``text`` read from ``path``; ``where`` is
    ``file:line``. An empty file, invalid JSON and a record that is not an object are errors
    naming the file (and line)."""
    if not text.strip(_JSON_SPACE):
        raise DatasetError(f"{path}: empty file, no records in it")
    for lineno, line in lines(text):
        where = f"{path}:{lineno}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            raise DatasetError(f"{where}: invalid JSON: {err.msg} (column {err.colno})"
                               ) from None
        if not isinstance(obj, dict):
            raise DatasetError(f"{where}: expected a JSON object, got {type(obj).__name__}")
        yield where, obj


def read_jsonl(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(where, object)`` per record of the JSON Lines file ``path`` (see :func:`parse_jsonl`).
    """
    return parse_jsonl(read_text(path), path)
