"""Retrievers over the demonstration store (SecCoder §3.4, §5.3): ``random``, ``bm25`` (sparse)
and ``dense`` (cosine of embeddings). A retriever is built once over one language's demos and
ranks that whole corpus for a query; ``retrieve`` then applies the setting (leave-one-out or
exclude-cwe) and keeps the top ones. The query is the task's code prompt (SecCoder's prompt x:
incomplete program and description); a document is a demo's code."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from vulnbench.errors import MissingDependencyError, UnknownNameError
from vulnbench.harden.records import SETTINGS, Demonstration, Hit, Setting
from vulnbench.harden.store import DemoStore
from vulnbench.records import Task, normalize_cwe
from vulnbench.registry import Registry


class Retriever(Protocol):
    """Ranks its corpus for a query, best first (rank 1): all of it, or the first ``limit``
    (the same as the first ``limit`` of the whole ranking, ties in corpus order)."""

    name: str

    def rank(self, query: str, limit: int | None = None) -> list[Hit]: ...


# factory(corpus, store or None, **params) -> Retriever; the store caches dense vectors
RetrieverFactory = Callable[..., Retriever]
retrievers: Registry[RetrieverFactory] = Registry("retriever")


def _order(scores: npt.NDArray[np.float64], limit: int | None) -> list[int]:
    """Indices by descending score, ties in index order; only the first ``limit`` are sorted
    (a retrieval needs a few of a large store, not a full sort)."""
    if limit is None or limit >= len(scores):
        return [int(i) for i in np.argsort(-scores, kind="stable")]
    kth = np.partition(-scores, limit - 1)[limit - 1]
    candidates = np.flatnonzero(-scores <= kth)  # index order, ties at the boundary included
    order = candidates[np.argsort(-scores[candidates], kind="stable")]
    return [int(i) for i in order[:limit]]


def _hits(corpus: Sequence[Demonstration], order: Sequence[int], scores: Sequence[float],
          name: str) -> list[Hit]:
    return [Hit(demo=corpus[i], rank=r, score=float(scores[i]), meta={"retriever": name})
            for r, i in enumerate(order, 1)]


class RandomRetriever:
    """A permutation of the corpus seeded by sha256(query + seed): the same query always gets
    the same order, different queries different ones (the paper's random baseline)."""

    name = "random"

    def __init__(self, corpus: Sequence[Demonstration], seed: str = "0") -> None:
        self.corpus = list(corpus)
        self.seed = str(seed)

    def rank(self, query: str, limit: int | None = None) -> list[Hit]:
        digest = hashlib.sha256((query + self.seed).encode()).digest()
        rng = np.random.default_rng(int.from_bytes(digest[:8], "big"))
        order = [int(i) for i in rng.permutation(len(self.corpus))[:limit]]
        return _hits(self.corpus, order, [0.0] * len(self.corpus), self.name)


# English function words and the keywords nearly every program of the two languages holds:
# they match everything and so rank nothing.
STOPWORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is",
    "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there",
    "these", "they", "this", "to", "was", "will", "with", "from", "which", "when", "where",
    "who", "may", "must", "should", "can", "return", "returns", "given", "raise", "raises",
    "none", "true", "false", "def", "self", "import", "int", "char", "void", "const", "struct",
    "include", "static", "unsigned", "size", "t", "str", "bytes", "bool", "list", "dict",
    "else", "elif", "while", "try", "except", "pass", "null"})

_WORD = re.compile(r"[A-Za-z0-9]+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def code_tokens(text: str, split: bool = True, stop: bool = True) -> list[str]:
    """Lower-cased alphanumeric runs; with ``split`` each identifier also yields its
    snake/camel-case parts (``read_upload`` -> read, upload; ``getValue`` -> get, value) so a
    prompt's words meet a program's identifiers; with ``stop`` STOPWORDS are dropped."""
    out: list[str] = []
    for word in _WORD.findall(text.replace("_", " ") if split else text):
        parts = _CAMEL.findall(word) if split else [word]
        for p in parts:
            tok = p.lower()
            if not (stop and tok in STOPWORDS):
                out.append(tok)
    return out


class BM25Retriever:
    """BM25 (PyPI ``bm25s``) over code tokens; the index is built once per corpus. Defaults
    (identifiers split, stopwords kept) were measured on the built-in tasks (leave-one-out):
    mean minimum number 6.38 against 7.64 with stopwords dropped and 6.53 unsplit; accuracy@1
    within 3 points (a few tasks) of every variant, so the choice is a weak one."""

    name = "bm25"

    def __init__(self, corpus: Sequence[Demonstration], split: bool = True,
                 stop: bool = False) -> None:
        try:
            import bm25s  # type: ignore[import-untyped,unused-ignore]
        except ImportError:
            raise MissingDependencyError("the bm25 retriever", "bm25s", "retrieval") from None
        # bm25s sets its own logger to DEBUG, which would print through the CLI's handler
        logging.getLogger("bm25s").setLevel(logging.WARNING)
        self.corpus = list(corpus)
        self.split, self.stop = split, stop
        self._index = bm25s.BM25()
        docs = [code_tokens(d.code, split, stop) or ["<empty>"] for d in self.corpus]
        if self.corpus:
            self._index.index(docs, show_progress=False)

    def rank(self, query: str, limit: int | None = None) -> list[Hit]:
        if not self.corpus:
            return []
        tokens = code_tokens(query, self.split, self.stop)
        scores = np.asarray(self._index.get_scores(tokens), dtype=np.float64)
        return _hits(self.corpus, _order(scores, limit), scores.tolist(), self.name)


class DenseRetriever:
    """Cosine similarity of L2-normalised embeddings (SecCoder's dense retriever); corpus and
    query vectors come through the store's cache when a store is given."""

    name = "dense"

    def __init__(self, corpus: Sequence[Demonstration], store: DemoStore | None = None,
                 embedder: str = "minilm") -> None:
        from vulnbench.harden.embed import create_embedder

        self.corpus = list(corpus)
        self.store = store
        self.embedder = create_embedder(embedder)
        self._matrix: npt.NDArray[np.float32] = (
            store.vectors(self.embedder, self.corpus) if store is not None
            else self.embedder.embed([d.code for d in self.corpus]) if self.corpus
            else np.zeros((0, self.embedder.dim), dtype=np.float32))

    def rank(self, query: str, limit: int | None = None) -> list[Hit]:
        if not self.corpus:
            return []
        q = (self.store.query_vector(self.embedder, query) if self.store is not None
             else self.embedder.embed([query])[0])
        scores = (self._matrix @ np.asarray(q, dtype=np.float32)).astype(np.float64)
        return _hits(self.corpus, _order(scores, limit), scores.tolist(), self.name)


def _random(corpus: Sequence[Demonstration], store: DemoStore | None = None,
            seed: str = "0") -> Retriever:
    return RandomRetriever(corpus, seed=seed)


def _flag(value: object) -> bool:
    return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes", "on")


def _bm25(corpus: Sequence[Demonstration], store: DemoStore | None = None,
          split: object = True, stop: object = False) -> Retriever:
    return BM25Retriever(corpus, split=_flag(split), stop=_flag(stop))


def _dense(corpus: Sequence[Demonstration], store: DemoStore | None = None,
           embedder: str = "minilm") -> Retriever:
    return DenseRetriever(corpus, store=store, embedder=embedder)


retrievers.register("random")(_random)
retrievers.register("bm25")(_bm25)
retrievers.register("dense")(_dense)

_CACHE: dict[tuple[str, str, str, str, tuple[tuple[str, str], ...]], Retriever] = {}


def get_retriever(store: DemoStore, language: str, name: str, **params: object) -> Retriever:
    """The retriever ``name`` over ``store``'s demos of ``language``, built once per (store
    file, store content hash, language, name, params): a prompt style calls this per task."""
    key = (str(store.path), store.content_hash(), language, name,
           tuple(sorted((k, str(v)) for k, v in params.items())))
    if key not in _CACHE:
        factory = retrievers.get(name)
        _CACHE[key] = factory(store.demos(language), store, **params)
    return _CACHE[key]


def clear_cache() -> None:
    """Forget built retrievers (tests, or a store closed and reopened elsewhere)."""
    _CACHE.clear()


def _cwe_set(cwes: Sequence[str]) -> set[str]:
    out = set()
    for c in cwes:
        try:
            out.add(normalize_cwe(c))
        except ValueError:
            continue
    return out


def allowed(task: Task, demo: Demonstration, setting: Setting) -> bool:
    """``loo``: not the task's own reference (by id or by identical code); ``exclude-cwe``:
    additionally no CWE in common with the task (SecCoder §4.1's generalisation setting)."""
    if demo.id == task.id:
        return False
    if task.secure_reference.strip() and demo.code.strip() == task.secure_reference.strip():
        return False
    return not (setting == "exclude-cwe" and _cwe_set(demo.cwe) & _cwe_set(task.cwe))


def query_text(task: Task) -> str:
    """SecCoder's prompt x: the incomplete program with its description."""
    return task.code_prompt


def retrieve(task: Task, retriever: Retriever, setting: Setting, top: int = 1) -> list[Hit]:
    """The first ``top`` allowed demonstrations for ``task``, ranks renumbered 1..top. Ranks
    a few more than ``top`` first and widens only when the setting filtered too many."""
    limit = top + 8
    while True:
        ranked = retriever.rank(query_text(task), limit)
        kept = [h for h in ranked if allowed(task, h.demo, setting)]
        if len(kept) >= top or len(ranked) < limit:
            break
        limit *= 4
    return [Hit(demo=h.demo, rank=r, score=h.score, meta=h.meta)
            for r, h in enumerate(kept[:top], 1)]


_STORES: dict[str, DemoStore] = {}


def open_store(path: Path | None = None) -> DemoStore:
    """The store at ``path`` (default location when None), opened once per process."""
    key = str(path) if path is not None else ""
    if key not in _STORES:
        _STORES[key] = DemoStore.open(path)
    return _STORES[key]


def retrieve_for_task(task: Task, retriever: str, setting: str = "loo", top: int = 1,
                      store_path: Path | None = None,
                      options: Mapping[str, object] | None = None) -> tuple[list[Hit], str]:
    """What a prompt style needs: ``task``'s top demonstrations from the store at
    ``store_path`` with the named retriever, and the store's content hash for the run spec."""
    if setting not in SETTINGS:
        raise UnknownNameError("retrieval setting", setting, list(SETTINGS))
    store = open_store(store_path)
    built = get_retriever(store, task.language, retriever, **dict(options or {}))
    return retrieve(task, built, setting, top), store.content_hash()
