"""The demonstration store: built-in sync, de-duplication, an order-free content hash,
embeddings computed only for entries that lack them, cached query vectors, and user files
read with errors that name file:line and field."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from vulnbench.datasets import load_dataset
from vulnbench.errors import DatasetError
from vulnbench.harden.records import Demonstration
from vulnbench.harden.store import DemoStore, builtin_demos, default_path, load_user_demos


class CountingEmbedder:
    """Hashed bag of characters, L2-normalised; counts every text it is asked to embed."""

    def __init__(self, name: str = "counting", dim: int = 32) -> None:
        self.name = name
        self.dim = dim
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.texts.extend(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for ch in t:
                out[i, ord(ch) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.where(norms == 0, 1.0, norms)).astype(np.float32)


def demo(i: int, cwe: str = "CWE-89", language: str = "python") -> Demonstration:
    return Demonstration(id=f"d{i}", language=language,  # type: ignore[arg-type]
                         cwe=(cwe,), code=f"def f{i}():\n    return {i}\n", source="user:t")


def test_builtin_demos_are_the_builtin_secure_references() -> None:
    tasks = load_dataset("builtin").tasks
    demos = builtin_demos()
    assert len(demos) == len([t for t in tasks if t.secure_reference.strip()]) == 183
    by_id = {t.id: t for t in tasks}
    for d in demos:
        t = by_id[d.id]
        assert (d.code, d.cwe, d.language, d.problem) == (
            t.secure_reference, tuple(t.cwe), t.language, t.text_prompt)


def test_default_path_is_beside_the_model_cache(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VULNBENCH_CACHE", str(tmp_path))
    assert default_path() == tmp_path / "harden" / "demos.sqlite"


def test_open_syncs_builtin_and_keeps_user_entries(tmp_path: Path) -> None:
    path = tmp_path / "demos.sqlite"
    with DemoStore.open(path) as store:
        assert len(store.demos()) == 183
        assert store.add([demo(1)]) == 1
        # a built-in row that is no longer a built-in task
        store.add([Demonstration(id="gone", language="c", cwe=("CWE-787",), code="int x;")])
        store._conn.execute("UPDATE demos SET source = 'builtin' WHERE id = 'gone'")
        store._conn.commit()
    with DemoStore.open(path) as again, DemoStore.open(path) as twice:
        ids = [d.id for d in again.demos()]
        assert "gone" not in ids and "d1" in ids and len(ids) == 184
        assert twice.content_hash() == again.content_hash()
        assert len(again.demos("c")) == 31


def test_add_skips_duplicates_and_hash_ignores_order(tmp_path: Path) -> None:
    a = DemoStore.open(tmp_path / "a.sqlite", builtin=False)
    b = DemoStore.open(tmp_path / "b.sqlite", builtin=False)
    assert a.add([demo(1), demo(2), demo(3)]) == 3
    assert a.add([demo(2), Demonstration(id="other", language="python", cwe=("CWE-89",),
                                         code=demo(3).code)]) == 0
    assert b.add([demo(3), demo(1), demo(2)]) == 3
    assert [d.id for d in a.demos()] == ["d1", "d2", "d3"]
    assert a.content_hash() == b.content_hash()
    before = a.content_hash()
    a.add([demo(4)])
    assert a.content_hash() != before


def test_vectors_embed_only_missing_entries(tmp_path: Path) -> None:
    store = DemoStore.open(tmp_path / "s.sqlite", builtin=False)
    store.add([demo(i) for i in range(10)])
    emb = CountingEmbedder()
    first = store.vectors(emb, store.demos())
    assert first.shape == (10, emb.dim) and len(emb.texts) == 10
    store.add([demo(99, cwe="CWE-79")])
    second = store.vectors(emb, store.demos())
    assert len(emb.texts) == 11 and emb.texts[-1] == demo(99).code
    np.testing.assert_array_equal(second[:10], first)
    # another embedder has vectors of its own
    other = CountingEmbedder(name="other")
    store.vectors(other, store.demos())
    assert len(other.texts) == 11


def test_query_vector_is_cached_across_opens(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    emb = CountingEmbedder()
    with DemoStore.open(path, builtin=False) as store:
        v = store.query_vector(emb, "SELECT * FROM users")
        store.query_vector(emb, "SELECT * FROM users")
    with DemoStore.open(path, builtin=False) as store:
        w = store.query_vector(emb, "SELECT * FROM users")
    assert emb.texts == ["SELECT * FROM users"]
    np.testing.assert_array_equal(v, w)


def test_load_user_jsonl_normalises_and_fills(tmp_path: Path) -> None:
    path = tmp_path / "more.jsonl"
    rows = [{"code": "x = 1\n", "cwe": ["89", "cwe79"]},
            {"code": "int y;\n", "cwe": "CWE_089", "language": "c", "problem": "p"},
            {"code": "z = 2\n"}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    demos = load_user_demos(path, cwe="CWE-22", language="python")
    assert [d.cwe for d in demos] == [("CWE-89", "CWE-79"), ("CWE-89",), ("CWE-22",)]
    assert [d.language for d in demos] == ["python", "c", "python"]
    assert all(d.source == "user:more.jsonl" for d in demos)
    assert demos[0].id == f"user:{demos[0].content_hash[:16]}"


def test_load_user_source_file(tmp_path: Path) -> None:
    src = tmp_path / "safe.c"
    src.write_text("int main(void) { return 0; }\n")
    (d,) = load_user_demos(src, cwe="787")
    assert (d.language, d.cwe, d.source) == ("c", ("CWE-787",), "user:safe.c")
    py = tmp_path / "safe.txt"
    py.write_text("print(1)\n")
    assert load_user_demos(py, cwe="CWE-78", language="python")[0].language == "python"


@pytest.mark.parametrize(("name", "text", "kwargs", "where"), [
    ("a.jsonl", '{"code": "x", "cwe": "89", "language": "python"}\n{"cwe": "89"}\n', {},
     ["a.jsonl:2", "'code'"]),
    ("b.jsonl", '{"code": "x", "cwe": "eighty", "language": "python"}\n', {},
     ["b.jsonl:1", "'cwe'"]),
    ("c.jsonl", '\n{"code": "x", "cwe": "89"}\n', {}, ["c.jsonl:2", "'language'"]),
    ("d.jsonl", '{"code": "x", "language": "python"}\n', {}, ["d.jsonl:1", "'cwe'"]),
    ("e.jsonl", '{"code": "x",\n', {}, ["e.jsonl:1", "not JSON"]),
    ("f.jsonl", '{"code": "x", "cwe": "89", "language": "java"}\n', {},
     ["f.jsonl:1", "'language'"]),
    ("g.py", "x = 1\n", {}, ["g.py:1", "'cwe'"]),
    ("h.rs", "fn main() {}\n", {"cwe": "89"}, ["h.rs:1", "'language'"]),
])
def test_bad_user_files_name_file_line_and_field(tmp_path: Path, name: str, text: str,
                                                 kwargs: dict[str, str],
                                                 where: list[str]) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(DatasetError) as err:
        load_user_demos(path, **kwargs)
    for part in where:
        assert part in str(err.value)


def test_content_hash_follows_changes_from_this_and_other_connections(tmp_path: Path) -> None:
    """The hash is cached between changes, so it must notice every change: an add through
    this store and one through another connection (a `harden db add` beside a run)."""
    path = tmp_path / "s.sqlite"
    first = DemoStore.open(path, builtin=False)
    empty = first.content_hash()
    assert first.content_hash() == empty
    demo = Demonstration(id="user:a", language="python", cwe=("CWE-89",), code="x = 1",
                         source="user:t")
    first.add([demo])
    one = first.content_hash()
    assert one != empty
    other = DemoStore.open(path, builtin=False)
    other.add([Demonstration(id="user:b", language="python", cwe=("CWE-78",), code="y = 2",
                             source="user:t")])
    two = first.content_hash()
    assert two not in (empty, one) and two == other.content_hash()
    other.close()
    first.close()
