"""Retrieval speed: store build time and queries per second of each retriever at 1k and 10k
store entries, with the caches the prompt styles rely on (embeddings once per entry and per
query text, the BM25 index once per store).

Entries are the built-in secure references made distinct (a variant comment and a renamed
first function), so each has its own content hash and its own embedding. Per size it measures:

- ``insert``: writing the entries into a fresh SQLite store;
- ``build``: the retriever over the store (BM25: tokenising + indexing; dense: embedding every
  entry, then the matrix), first on the fresh store, then again from the store's cache;
- queries per second over the built-in tasks' code prompts, as a prompt style asks them
  (``retrieve``: top 1, leave-one-out): ``cold`` (dense: each query embedded) and ``warm``
  (every query seen before: cached vectors).

Embedding 10k entries with the numpy MiniLM encoder takes about 15-30 minutes on 2 cores, so by
default the dense build is measured up to ``--dense-embed-max`` entries (1000); a larger size
takes its build time from the rate measured on the smaller one (marked ``~``) and gives each
entry the vector of the reference it was made from (measured sizes first; the query figures
are then real over that many vectors). ``--dense-embed-max 10000`` measures it all.
Figures are medians over ``--repeats``; ratios are against the same run's first build and cold
queries.

    python benchmarks/retrieval.py [--sizes 1000,10000] [--repeats 3] [--dense-embed-max 1000]
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from vulnbench.datasets import load_dataset
from vulnbench.harden.embed import create_embedder
from vulnbench.harden.records import Demonstration
from vulnbench.harden.retrievers import clear_cache, get_retriever, retrieve
from vulnbench.harden.store import DemoStore
from vulnbench.records import Task


def variants(base: list[Demonstration], size: int) -> list[tuple[Demonstration, int]]:
    """``size`` distinct entries (with the index of the reference each was made from)."""
    out = []
    for i in range(size):
        ref = base[i % len(base)]
        round_ = i // len(base)
        code = ref.code
        if round_:
            code = re.sub(r"\b(def|int|void|char|static|size_t)\s+(\w+)\s*\(",
                          lambda m, r=round_: f"{m.group(1)} {m.group(2)}_v{r}(", code, count=1)
            code += f"\n# variant {round_}\n" if ref.language == "python" else \
                f"\n/* variant {round_} */\n"
        out.append((Demonstration(id=f"bench:{i}", language=ref.language, cwe=ref.cwe,
                                  code=code, problem=ref.problem, source="user:bench"),
                    i % len(base)))
    return out


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def seed_vectors(store: DemoStore, entries: list[tuple[Demonstration, int]],
                 known: dict[int, bytes], embedder_name: str) -> None:
    """Give every entry the vector embedded for its reference in the measured smaller store
    (benchmark shortcut for sizes past --dense-embed-max, said in the output)."""
    missing = sorted({src for _, src in entries} - set(known))
    if missing:
        raise SystemExit("--sizes: the measured size must cover every reference (>= "
                         f"{len({s for _, s in entries})} entries)")
    db = sqlite3.connect(store.path)
    with db:
        db.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?)",
                       [(d.content_hash, embedder_name, known[src]) for d, src in entries])
    db.close()


def measure(size: int, base: list[Demonstration], queries: list[Task], embed_max: int,
            folder: Path, known: dict[int, bytes], rate: list[float]) -> list[list[str]]:
    """One size: insert, then each retriever's first and cached build and query rates.
    ``known``/``rate``: vectors and seconds per embedded entry from a measured size, filled
    by it and used by a larger size past ``embed_max``."""
    rows = []
    entries = variants(base, size)
    store_path = folder / f"store-{size}.sqlite"
    store = DemoStore.open(store_path, builtin=False)
    insert = timed(lambda: store.add([d for d, _ in entries]))
    rows.append([str(size), "store", "insert", f"{insert:.2f}", "", "", ""])
    embedder = create_embedder("minilm")
    for name in ("random", "bm25", "dense"):
        clear_cache()
        note = ""
        if name == "dense" and size > embed_max:
            if not known:
                raise SystemExit(f"--sizes: measure a size <= {embed_max} first")
            seed_vectors(store, entries, known, embedder.name)
            first = rate[0] * size + timed(lambda: get_retriever(store, "python", "dense"))
            note = "~"
        else:
            first = timed(lambda n=name: get_retriever(store, "python", n))
            if name == "dense":
                rate[:] = [first / size]
                db = sqlite3.connect(store_path)
                by_hash = dict(db.execute("SELECT content_hash, vector FROM embeddings"))
                db.close()
                known.update({src: by_hash[d.content_hash] for d, src in entries
                              if d.content_hash in by_hash})
        clear_cache()
        again = timed(lambda n=name: get_retriever(store, "python", n))
        retriever = get_retriever(store, "python", name)
        cold = timed(lambda r=retriever: [retrieve(t, r, "loo", 1) for t in queries])
        warm = timed(lambda r=retriever: [retrieve(t, r, "loo", 1) for t in queries])
        rows.append([str(size), name, "build", f"{note}{first:.3f}", f"{again:.3f}",
                     f"{len(queries) / cold:.1f}", f"{len(queries) / warm:.1f}"])
    store.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dense-embed-max", type=int, default=1000)
    args = parser.parse_args()
    tasks = [t for t in load_dataset("builtin").tasks if t.language == "python"]
    base = [Demonstration(id=t.id, language="python", cwe=tuple(t.cwe), code=t.secure_reference,
                          problem=t.text_prompt) for t in tasks if t.secure_reference]
    queries = tasks  # each task's code prompt is its query
    results: dict[tuple[str, str], list[list[str]]] = {}
    for repeat in range(args.repeats):
        known: dict[int, bytes] = {}
        rate: list[float] = []
        for size in sorted(int(s) for s in args.sizes.split(",")):
            with tempfile.TemporaryDirectory() as tmp:
                # a fresh store each repeat: the dense build really embeds again
                for row in measure(size, base, queries, args.dense_embed_max, Path(tmp),
                                   known, rate):
                    results.setdefault((row[0], row[1]), []).append(row)
        print(f"repeat {repeat + 1}/{args.repeats} done", flush=True)

    def med(rows: list[list[str]], col: int) -> str:
        values = [r[col] for r in rows if r[col]]
        if not values:
            return ""
        mark = "~" if values[0].startswith("~") else ""
        return mark + f"{statistics.median(float(v.lstrip('~')) for v in values):.3f}"

    print(f"\n{len(queries)} queries (built-in Python code prompts); medians of {args.repeats}")
    print("| entries | retriever | first build s | cached build s | ratio | cold q/s | "
          "warm q/s | warm/cold |")
    print("|---|---|---|---|---|---|---|---|")
    for (entries, name), rows in results.items():
        first, again = med(rows, 3), med(rows, 4)
        cold, warm = med(rows, 5), med(rows, 6)
        ratio = (f"{float(first.lstrip('~')) / float(again):.1f}x"
                 if again and float(again) > 0 else "")
        speed = f"{float(warm) / float(cold):.1f}x" if cold and warm else ""
        print(f"| {entries} | {name} | {first} | {again} | {ratio} | {cold} | {warm} | {speed} |")
    print("\n~: extrapolated from the measured embedding rate (see --dense-embed-max)")


if __name__ == "__main__":
    main()
