"""CodeBLEU and CodeBLEU@k: how close repaired or generated code is to the secure reference.

SecuCoGen (§2.3) scores repair and generation with CodeBLEU (Ren et al. 2020): the mean of
token BLEU, keyword-weighted BLEU, syntax-tree match and data-flow match (weights 0.25 each).
CodeBLEU@k is the best CodeBLEU among the first ``k`` samples, by sample index; the caller
averages it over tasks. The scoring itself is the PyPI ``codebleu`` package (0.7, the
``repair`` extra), imported lazily so the rest of vulnbench runs without it.

Data flow, as the package computes it: when its data-flow match comes out 0 (the reference has
no data flow it can extract, e.g. a single ``pass``; or none of the reference's flows appear in
the candidate), codebleu 0.7 counts that quarter as full marks (``dataflow or 1``) instead of 0,
and logs "There is no reference data-flows extracted ...". We keep the package's number so that
scores compare with papers that used it, and silence its logging. One consequence: an empty
candidate would score 0.25, so it is scored 0.0 here explicitly.
"""

from __future__ import annotations

import functools
import logging
import math
import operator
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from vulnbench.errors import MissingDependencyError, UnknownNameError

__all__ = ["LANGUAGES", "available", "codebleu", "codebleu_at_k"]

#: vulnbench language -> tree-sitter grammar package the ``repair`` extra pins (< 0.22: newer
#: grammar wheels do not load with the tree-sitter 0.22 that codebleu 0.7 requires).
LANGUAGES: dict[str, str] = {"python": "tree-sitter-python", "c": "tree-sitter-c"}


def available() -> str:
    """'' when codebleu can score every language here, else the actionable reason.

    Checked up front so a run can say what is missing before it generates anything.
    """
    for language in LANGUAGES:
        try:
            _load(language)
        except MissingDependencyError as exc:
            return f"install vulnbench[repair]: {exc}"
    return ""


def codebleu(candidate: str, reference: str, language: str) -> float:
    """CodeBLEU in [0, 1] (codebleu's default weights 0.25 each); language "python" or "c".

    An empty (or all-blank) candidate scores 0.0. Cached on the strings: CodeBLEU@k at several
    k, and repeated reports, score the same sample against the same reference again.
    """
    _load(language)
    return _score(candidate, reference, language)


def codebleu_at_k(
    candidates: Sequence[str | None], reference: str, language: str, ks: Sequence[int]
) -> dict[int, float]:
    """k -> max CodeBLEU over ``candidates[:k]``, samples taken in index order.

    A ``None`` candidate (a sample that produced no code) scores 0. A ``k`` larger than
    ``len(candidates)`` uses all of them rather than being undefined: unlike pass@k this is a
    best-of-the-first-k reading, and fewer samples can only lower the maximum. No candidates at
    all gives NaN for every ``k``, so a task without samples shows up in any mean.
    """
    wanted = [_as_k(k) for k in ks]
    if not candidates:
        return dict.fromkeys(wanted, math.nan)
    _load(language)
    limit = min(max(wanted, default=0), len(candidates))
    best: list[float] = []
    for candidate in candidates[:limit]:
        score = 0.0 if candidate is None else _score(candidate, reference, language)
        best.append(max(score, best[-1]) if best else score)
    return {k: best[min(k, limit) - 1] for k in wanted}


def _as_k(k: int) -> int:
    """A k that is an integer >= 1 (same convention as the pass@k estimators)."""
    try:
        value = operator.index(k)
    except TypeError:
        raise TypeError(f"k must be an integer, got {k!r}") from None
    if value < 1:
        raise ValueError(f"k must be >= 1, got {value}")
    return value


@functools.lru_cache(maxsize=len(LANGUAGES))
def _load(language: str) -> None:
    """Fail early, with the install line, if codebleu or the grammar cannot run.

    Cached: a successful check holds for the process; a failure raises and is not cached.
    """
    if language not in LANGUAGES:
        raise UnknownNameError("CodeBLEU language", language, list(LANGUAGES))
    try:
        from codebleu.utils import get_tree_sitter_language
    except ImportError:
        raise MissingDependencyError("CodeBLEU", "codebleu", "repair") from None
    _stable_dataflow()
    try:
        get_tree_sitter_language(language)
    except (ImportError, TypeError, ValueError, AttributeError):
        # ImportError: grammar missing; TypeError: a grammar wheel too new for tree-sitter 0.22
        raise MissingDependencyError(
            f"CodeBLEU for {language}", f"{LANGUAGES[language]}<0.22", "repair"
        ) from None


@functools.cache
def _stable_dataflow() -> None:
    """Make the data-flow match independent of Python's string hash seed.

    The package merges each variable's parents with ``list(set(...))``, so their order (and
    with it the var_N names its normalisation gives, and which flows match) changes from one
    process to the next: the same pair scored 0.589 and 0.554 on data-flow under two seeds.
    Each flow's parent names are put in sorted order before the package normalises them; a
    flow's parents are a set, so this changes no meaning, only the arbitrary order.
    """
    import codebleu.dataflow_match as dataflow

    original: Any = dataflow.normalize_dataflow
    if getattr(original, "vulnbench_stable", False):
        return

    def normalize(flows: list[tuple[Any, ...]]) -> Any:
        return original([(*f[:3], sorted(set(f[3])), *f[4:]) for f in flows])

    normalize.vulnbench_stable = True  # type: ignore[attr-defined]
    dataflow.normalize_dataflow = normalize


@functools.lru_cache(maxsize=4096)
def _score(candidate: str, reference: str, language: str) -> float:
    """The package's CodeBLEU for one pair; ``_load(language)`` has already succeeded."""
    if not candidate.strip():
        return 0.0
    from codebleu import calc_codebleu

    with _quiet_codebleu():
        result = calc_codebleu([reference], [candidate], lang=language)
    return min(1.0, max(0.0, float(result["codebleu"])))


@contextmanager
def _quiet_codebleu() -> Iterator[None]:
    """Drop codebleu's log records and warnings without touching anyone else's.

    codebleu logs through ``logging.warning`` (the root logger), which also runs
    ``logging.basicConfig()`` when the root logger has no handler: the temporary NullHandler
    keeps that from configuring the application's logging behind its back.
    """
    root = logging.getLogger()
    guard = logging.NullHandler()
    root.addHandler(guard)
    root.addFilter(_not_from_codebleu)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        root.removeFilter(_not_from_codebleu)
        root.removeHandler(guard)


def _not_from_codebleu(record: logging.LogRecord) -> bool:
    """Logging filter: False for records emitted from inside the codebleu package."""
    return not Path(record.pathname).is_relative_to(_codebleu_dir())


@functools.cache
def _codebleu_dir() -> Path:
    """Directory of the imported codebleu package, as its code objects name their files."""
    import codebleu as package

    return Path(package.__file__).parent
