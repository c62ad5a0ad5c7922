"""Exact and fuzzy de-duplication of the samples of one task (CodeLMSec: a fuzzy match is a
``rapidfuzz`` ratio above 80). Samples are compared in index order; a duplicate points at the
earliest kept sample it matches."""

from __future__ import annotations

import io
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz

FUZZY_THRESHOLD = 80.0


@dataclass(frozen=True)
class DuplicateInfo:
    of: int
    kind: Literal["exact", "fuzzy"]


def normalize_code(code: str, language: str = "python") -> str:
    """Drop comments and blank lines and trailing whitespace, so that two programs differing
    only in those count as the same program."""
    if language == "python":
        try:
            tokens = [t for t in tokenize.generate_tokens(io.StringIO(code).readline)
                      if t.type != tokenize.COMMENT]
            code = tokenize.untokenize(tokens)
        except (tokenize.TokenError, IndentationError, SyntaxError):
            pass
    lines = (line.rstrip() for line in code.splitlines())
    return "\n".join(line for line in lines if line.strip())


def find_duplicates(codes: Sequence[str | None], language: str = "python",
                    fuzzy: bool = True) -> dict[int, DuplicateInfo]:
    """Map sample index -> duplicate info for every sample that repeats an earlier one.
    ``None`` entries (samples without code) take no part."""
    kept: list[tuple[int, str]] = []
    exact: dict[str, int] = {}
    found: dict[int, DuplicateInfo] = {}
    for index, code in enumerate(codes):
        if code is None:
            continue
        norm = normalize_code(code, language)
        if norm in exact:
            found[index] = DuplicateInfo(exact[norm], "exact")
            continue
        if fuzzy:
            match = next((i for i, other in kept
                          if fuzz.ratio(norm, other, score_cutoff=FUZZY_THRESHOLD)
                          > FUZZY_THRESHOLD), None)
            if match is not None:
                found[index] = DuplicateInfo(match, "fuzzy")
                continue
        exact[norm] = index
        kept.append((index, norm))
    return found
