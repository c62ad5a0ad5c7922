"""Retrievers and the two settings: leave-one-out never yields a task's own reference,
exclude-cwe never a demo of the task's CWE (over every built-in task), a user's entry is found
without re-embedding the store, and built retrievers are reused."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from itertools import count
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from vulnbench.datasets import load_dataset
from vulnbench.errors import MissingDependencyError, UnknownNameError
from vulnbench.harden import retrievers as R
from vulnbench.harden.embed import EMBEDDERS
from vulnbench.harden.records import Demonstration
from vulnbench.harden.store import DemoStore
from vulnbench.records import Task

_ids = count()


class CountingEmbedder:
    """Bag of lower-cased words hashed into 64 buckets, unit rows; counts texts embedded."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.dim = 64
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.texts.extend(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in R.code_tokens(t):
                out[i, sum(map(ord, w)) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.where(norms == 0, 1.0, norms)).astype(np.float32)


@pytest.fixture
def counting() -> CountingEmbedder:
    """A fresh fake embedder registered under a unique name (create_embedder caches names)."""
    name = f"counting{next(_ids)}"
    embedder = CountingEmbedder(name)
    EMBEDDERS.register(name)(lambda _arg: embedder)
    return embedder


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    R.clear_cache()
    yield
    R.clear_cache()


@pytest.fixture(scope="module")
def builtin_store(tmp_path_factory: pytest.TempPathFactory) -> DemoStore:
    return DemoStore.open(tmp_path_factory.mktemp("store") / "demos.sqlite")


def task(tid: str, prompt: str, cwe: str = "CWE-89", reference: str = "") -> Task:
    return Task(id=tid, cwe=[cwe], code_prompt=prompt, secure_reference=reference)


def test_code_tokens_split_identifiers() -> None:
    assert R.code_tokens("getUserName(user_id)") == ["get", "user", "name", "user", "id"]
    assert R.code_tokens("HTTPServer x", split=False) == ["httpserver", "x"]
    assert "the" not in R.code_tokens("return the id", stop=True)
    assert "the" in R.code_tokens("return the id", stop=False)


@pytest.mark.parametrize("name", ["bm25", "random"])
def test_loo_never_returns_own_reference(builtin_store: DemoStore, name: str) -> None:
    tasks = load_dataset("builtin").tasks
    own_first = 0
    for t in tasks:
        r = R.get_retriever(builtin_store, t.language, name)
        ranked = r.rank(R.query_text(t))
        # the own reference is in the corpus: the filter, not its absence, keeps it out
        assert any(h.demo.id == t.id for h in ranked)
        own_first += ranked[0].demo.id == t.id
        hits = R.retrieve(t, r, "loo", top=5)
        assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
        for h in hits:
            assert h.demo.id != t.id
            assert h.demo.code.strip() != t.secure_reference.strip()
            assert h.demo.language == t.language
    if name == "bm25":  # the code prompt is part of its reference: usually the nearest
        assert own_first > len(tasks) // 2


@pytest.mark.parametrize("name", ["bm25", "random"])
def test_exclude_cwe_never_returns_a_demo_of_the_task_cwe(builtin_store: DemoStore,
                                                          name: str) -> None:
    for t in load_dataset("builtin").tasks:
        r = R.get_retriever(builtin_store, t.language, name)
        for h in R.retrieve(t, r, "exclude-cwe", top=10):
            assert not set(h.demo.cwe) & set(t.cwe)
            assert h.demo.id != t.id


def test_allowed_compares_normalised_cwes_and_code() -> None:
    t = task("t", "def f():", cwe="CWE-89", reference="def f():\n    pass\n")
    same_code = Demonstration(id="x", language="python", cwe=("CWE-79",),
                              code="  def f():\n    pass")
    other = Demonstration(id="y", language="python", cwe=("cwe089",), code="z = 1")
    assert not R.allowed(t, same_code, "loo")
    assert R.allowed(t, other, "loo")
    assert not R.allowed(t, other, "exclude-cwe")


def test_user_entry_is_retrieved_without_reembedding(tmp_path: Path,
                                                     counting: CountingEmbedder) -> None:
    store = DemoStore.open(tmp_path / "s.sqlite", builtin=False)
    store.add([Demonstration(id=f"d{i}", language="python", cwe=("CWE-89",),
                             code=f"def handler_{i}(request):\n    return render(page_{i})\n",
                             source="user:t") for i in range(30)])
    R.get_retriever(store, "python", "dense", embedder=counting.name)
    assert len(counting.texts) == 30
    user = Demonstration(id="user:abc", language="python", cwe=("CWE-78",),
                         code="import shlex\nsubprocess.run(['tar', 'czf', archive, folder])\n",
                         source="user:mine.jsonl")
    assert store.add([user]) == 1
    r = R.get_retriever(store, "python", "dense", embedder=counting.name)
    assert counting.texts[30:] == [user.code]  # only the new entry was embedded
    (hit,) = R.retrieve(task("q", user.code), r, "loo")
    assert hit.demo.id == "user:abc" and hit.rank == 1
    assert pytest.approx(hit.score, abs=1e-5) == 1.0
    assert len(counting.texts) == 32  # plus the query, once
    R.retrieve(task("q", user.code), r, "loo")
    assert len(counting.texts) == 32


def test_retrievers_are_built_once_per_store_state(tmp_path: Path) -> None:
    store = DemoStore.open(tmp_path / "s.sqlite", builtin=False)
    store.add([Demonstration(id="a", language="c", cwe=("CWE-787",), code="int a;",
                             source="user:t")])
    first = R.get_retriever(store, "c", "bm25")
    assert R.get_retriever(store, "c", "bm25") is first
    assert R.get_retriever(store, "c", "bm25", stop=True) is not first
    store.add([Demonstration(id="b", language="c", cwe=("CWE-787",), code="int b;",
                             source="user:t")])
    assert R.get_retriever(store, "c", "bm25") is not first


def test_random_is_deterministic_per_query_and_seed() -> None:
    corpus = [Demonstration(id=str(i), language="python", cwe=("CWE-89",), code=str(i))
              for i in range(20)]
    a = [h.demo.id for h in R.RandomRetriever(corpus).rank("q")]
    assert a == [h.demo.id for h in R.RandomRetriever(corpus).rank("q")]
    assert a != [h.demo.id for h in R.RandomRetriever(corpus, seed="1").rank("q")]
    assert sorted(a, key=int) == [str(i) for i in range(20)]


def test_bm25_missing_dependency(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "bm25s", None)
    with pytest.raises(MissingDependencyError, match="bm25s"):
        R.retrievers.get("bm25")([], None)


def test_retrieve_for_task_opens_the_store_and_returns_its_hash(tmp_path: Path) -> None:
    path = tmp_path / "demos.sqlite"
    t = load_dataset("builtin").tasks[0]
    hits, digest = R.retrieve_for_task(t, "bm25", "exclude-cwe", top=2, store_path=path)
    assert len(hits) == 2 and digest == DemoStore.open(path).content_hash()
    with pytest.raises(UnknownNameError):
        R.retrieve_for_task(t, "bm25", "nearby", store_path=path)
    with pytest.raises(UnknownNameError):
        R.retrieve_for_task(t, "sparse", store_path=path)


def test_a_limited_ranking_is_the_head_of_the_full_one() -> None:
    """rank(q, limit) sorts only the first ``limit`` but must agree with the full ranking,
    ties (equal scores) included."""
    from vulnbench.harden.retrievers import _order

    rng = np.random.default_rng(3)
    for _ in range(200):
        scores = rng.integers(0, 4, size=int(rng.integers(1, 40))).astype(np.float64)
        full = _order(scores, None)
        for limit in (1, 2, 5, len(scores), len(scores) + 3):
            assert _order(scores, limit) == full[:limit]


@pytest.mark.parametrize("name", ["bm25", "random"])
@pytest.mark.parametrize("setting", ["loo", "exclude-cwe"])
def test_retrieve_equals_filtering_the_full_ranking(tmp_path: Path, name: str,
                                                    setting: str) -> None:
    """retrieve() ranks a few first and widens when the setting filters them all away (under
    exclude-cwe a task's head is often all of its own CWE): same answer as the full ranking."""
    store = DemoStore.open(tmp_path / "s.sqlite")
    tasks = load_dataset("builtin").tasks
    for task in tasks[::3]:
        built = R.get_retriever(store, task.language, name)
        full = [h.demo.id for h in built.rank(R.query_text(task))
                if R.allowed(task, h.demo, setting)]  # type: ignore[arg-type]
        for top in (1, 3, 12):
            got = [h.demo.id for h in R.retrieve(task, built, setting, top)]  # type: ignore[arg-type]
            assert got == full[:top]
    store.close()
