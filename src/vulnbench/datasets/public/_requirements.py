"""Pip requirement files as public benchmarks publish them: comments, blank lines, pip options,
and lines that were concatenated upstream because a file lacked its final newline
(SALLM: ``lxml==4.6.3Flask==2.3.3``). The result feeds ``Task.requirements``, from which the
task's own environment is built, so a glued line must become two requirements."""

from __future__ import annotations

import re
from pathlib import Path

_OP = r"(?:===|==|~=|!=|>=|<=|>|<)"
# a PEP 440 version, taken atomically so that ``1.0rc1`` is never cut into ``1.0`` + ``rc1``
_VERSION = (r"\d+(?:\.\d+)*(?:\.\*)?(?:(?:a|b|c|rc|alpha|beta|pre|preview)\d+)?"
            r"(?:\.?post\d+)?(?:\.?dev\d+)?(?:\+[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*)?")
# a version glued to the next requirement's name (which is followed by a specifier, extras,
# a marker or the end of the line)
_GLUED = re.compile(rf"({_OP}\s*(?>{_VERSION}))"
                    rf"(?=[A-Za-z][A-Za-z0-9._-]*\s*(?:\[|{_OP}|;|@|,|$))")
_SPACES = re.compile(rf"\s*({_OP}|,)\s*")


def split_glued(line: str) -> list[str]:
    """``"lxml==4.6.3Flask==2.3.3"`` -> ``["lxml==4.6.3", "Flask==2.3.3"]``."""
    return [part for part in _GLUED.sub("\\1\n", line).split("\n") if part.strip()]


def _normalize(req: str) -> str:
    spec, sep, marker = req.partition(";")
    return _SPACES.sub(r"\1", spec.strip()) + (f"; {marker.strip()}" if sep else "")


def parse_requirements(text: str) -> tuple[list[str], list[str]]:
    """(requirement specifiers in file order without repeats, lines left out: pip options
    such as ``-r`` or ``--index-url``, which a per-task environment does not follow)."""
    out: list[str] = []
    seen: set[str] = set()
    ignored: list[str] = []
    for raw in text.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not line:
            continue
        if line.startswith("-"):
            ignored.append(line)
            continue
        for part in split_glued(line):
            req = _normalize(part)
            key = re.sub(r"[-_.]+", "-", req.lower())  # PEP 503 names: Flask == flask
            if req and key not in seen:
                seen.add(key)
                out.append(req)
    return out, ignored


def read_requirements(path: Path) -> tuple[list[str], list[str]]:
    """``parse_requirements`` of a file (UTF-8, a byte-order mark tolerated)."""
    return parse_requirements(path.read_text(encoding="utf-8-sig", errors="replace"))
