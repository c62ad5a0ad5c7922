"""The secure-code demonstration store (SecCoder §3.3): the built-in tasks' secure references
plus a user's additions, kept in SQLite with each embedder's vectors so that adding an entry
never re-embeds the rest and a query text is embedded once per embedder."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import numpy.typing as npt

from vulnbench.errors import DatasetError
from vulnbench.harden.records import Demonstration, Language
from vulnbench.records import normalize_cwe, stable_hash

if TYPE_CHECKING:
    from vulnbench.harden.embed import Embedder

_SCHEMA = """
CREATE TABLE IF NOT EXISTS demos (
    id TEXT PRIMARY KEY, language TEXT NOT NULL, cwe TEXT NOT NULL, code TEXT NOT NULL,
    problem TEXT NOT NULL, source TEXT NOT NULL, content_hash TEXT NOT NULL,
    added INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS demos_hash ON demos(content_hash);
CREATE TABLE IF NOT EXISTS embeddings (
    content_hash TEXT NOT NULL, embedder TEXT NOT NULL, vector BLOB NOT NULL,
    PRIMARY KEY (content_hash, embedder));
CREATE TABLE IF NOT EXISTS queries (
    embedder TEXT NOT NULL, text_hash TEXT NOT NULL, vector BLOB NOT NULL,
    PRIMARY KEY (embedder, text_hash));
"""

_SUFFIX_LANGUAGE: dict[str, Language] = {".py": "python", ".c": "c", ".h": "c"}


def default_path() -> Path:
    """``<cache>/harden/demos.sqlite``, beside the model cache."""
    from vulnbench.models.weights import cache_dir

    return cache_dir().parent / "harden" / "demos.sqlite"


def builtin_demos() -> list[Demonstration]:
    """Every built-in task with a secure reference, under the task's own id (so leave-one-out
    can recognise it)."""
    from vulnbench.datasets import load_dataset

    return [
        Demonstration(id=t.id, language=t.language, cwe=tuple(t.cwe),
                      code=t.secure_reference, problem=t.text_prompt, source="builtin")
        for t in load_dataset("builtin").tasks if t.secure_reference.strip()
    ]


def _blob(vec: npt.NDArray[np.float32]) -> bytes:
    return np.asarray(vec, dtype=np.float32).tobytes()


def _vec(blob: bytes) -> npt.NDArray[np.float32]:
    return np.frombuffer(blob, dtype=np.float32).copy()


class DemoStore:
    """One SQLite file (WAL, one connection). Built-in rows are re-synced on every open; user
    rows stay until removed by hand."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn
        self._hash: tuple[tuple[int, int], str] | None = None  # (change stamp, content hash)

    @classmethod
    def open(cls, path: Path | str | None = None, builtin: bool = True) -> DemoStore:
        """Open (creating) the store; with ``builtin`` the built-in entries are brought in line
        with the current built-in tasks (added if missing, stale ones removed)."""
        p = Path(path) if path is not None else default_path()
        p.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(p, timeout=30.0)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(_SCHEMA)
        store = cls(p, conn)
        if builtin:
            store._sync_builtin(builtin_demos())
        return store

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> DemoStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _sync_builtin(self, demos: Sequence[Demonstration]) -> None:
        current = {d.id: d.content_hash for d in demos}
        rows = self._conn.execute(
            "SELECT id, content_hash FROM demos WHERE source = 'builtin'").fetchall()
        stale = [i for i, h in rows if current.get(i) != h]
        with self._conn:
            self._conn.executemany("DELETE FROM demos WHERE id = ?", [(i,) for i in stale])
        self.add(demos)

    def add(self, demos: Iterable[Demonstration]) -> int:
        """Add entries; one whose content is already stored (or whose id is taken) is skipped.
        Returns how many were new. Nothing is embedded here."""
        new = 0
        with self._conn:
            (start,) = self._conn.execute("SELECT COALESCE(MAX(added), 0) FROM demos").fetchone()
            for d in demos:
                h = d.content_hash
                if self._conn.execute("SELECT 1 FROM demos WHERE content_hash = ? OR id = ?",
                                      (h, d.id)).fetchone():
                    continue
                new += 1
                self._conn.execute(
                    "INSERT INTO demos VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (d.id, d.language, json.dumps(list(d.cwe)), d.code, d.problem, d.source, h,
                     start + new))
        return new

    def demos(self, language: str | None = None) -> list[Demonstration]:
        """The entries in insertion order (built-in first on a fresh store)."""
        sql = "SELECT id, language, cwe, code, problem, source FROM demos"
        args: tuple[str, ...] = ()
        if language is not None:
            sql += " WHERE language = ?"
            args = (language,)
        rows = self._conn.execute(sql + " ORDER BY added, id", args).fetchall()
        return [Demonstration(id=r[0], language=cast(Language, r[1]), cwe=tuple(json.loads(r[2])),
                              code=r[3], problem=r[4], source=r[5]) for r in rows]

    def content_hash(self) -> str:
        """What the store holds, independent of insertion order: goes into run specs.
        Recomputed only when the file changed (a prompt style asks once per task; over a
        large store the hash is a full scan): SQLite's data_version moves when another
        connection commits, total_changes when this one writes."""
        (version,) = self._conn.execute("PRAGMA data_version").fetchone()
        stamp = (int(version), self._conn.total_changes)
        if self._hash is None or self._hash[0] != stamp:
            rows = self._conn.execute("SELECT content_hash FROM demos ORDER BY content_hash")
            self._hash = (stamp, stable_hash([r[0] for r in rows]))
        return self._hash[1]

    def vectors(self, embedder: Embedder, demos: Sequence[Demonstration]
                ) -> npt.NDArray[np.float32]:
        """One row per demo (its code embedded), computing only those not stored yet, in one
        batch, and storing them."""
        hashes = [d.content_hash for d in demos]
        have: dict[str, npt.NDArray[np.float32]] = {}
        for i in range(0, len(hashes), 500):
            chunk = hashes[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for h, blob in self._conn.execute(
                    f"SELECT content_hash, vector FROM embeddings WHERE embedder = ? "
                    f"AND content_hash IN ({marks})", (embedder.name, *chunk)):
                have[h] = _vec(blob)
        missing: dict[str, str] = {}
        for d, h in zip(demos, hashes, strict=True):
            if h not in have:
                missing.setdefault(h, d.code)
        if missing:
            computed = embedder.embed(list(missing.values()))
            with self._conn:
                for h, row in zip(missing, computed, strict=True):
                    have[h] = np.asarray(row, dtype=np.float32)
                    self._conn.execute("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?)",
                                       (h, embedder.name, _blob(have[h])))
        if not hashes:
            return np.zeros((0, embedder.dim), dtype=np.float32)
        return np.stack([have[h] for h in hashes]).astype(np.float32)

    def query_vector(self, embedder: Embedder, text: str) -> npt.NDArray[np.float32]:
        """The embedding of a query text, cached per (embedder, sha256(text))."""
        key = hashlib.sha256(text.encode()).hexdigest()
        row = self._conn.execute("SELECT vector FROM queries WHERE embedder = ? AND text_hash = ?",
                                 (embedder.name, key)).fetchone()
        if row is not None:
            return _vec(row[0])
        vec = np.asarray(embedder.embed([text])[0], dtype=np.float32)
        with self._conn:
            self._conn.execute("INSERT OR REPLACE INTO queries VALUES (?, ?, ?)",
                               (embedder.name, key, _blob(vec)))
        return vec


def _cwes(value: object, where: str) -> tuple[str, ...]:
    items: list[Any]
    if isinstance(value, str | int):
        items = [value]
    elif isinstance(value, list):
        items = value
    else:
        raise DatasetError(f"{where}: field 'cwe' must be a CWE id or a list of them")
    try:
        out = tuple(dict.fromkeys(normalize_cwe(v) for v in items))
    except ValueError as exc:
        raise DatasetError(f"{where}: field 'cwe': {exc}") from None
    if not out:
        raise DatasetError(f"{where}: field 'cwe' is required (give it or --cwe)")
    return out


def _language(value: object, where: str) -> Language:
    if value == "python":
        return "python"
    if value == "c":
        return "c"
    raise DatasetError(f"{where}: field 'language' must be 'python' or 'c', not {value!r}")


def _user_demo(code: str, cwe: tuple[str, ...], language: Language, problem: str,
               source: str) -> Demonstration:
    probe = Demonstration(id="", language=language, cwe=cwe, code=code, problem=problem)
    return Demonstration(id=f"user:{probe.content_hash[:16]}", language=language, cwe=cwe,
                         code=code, problem=problem, source=source)


def load_user_demos(path: Path | str, cwe: str | Sequence[str] | None = None,
                    language: str | None = None) -> list[Demonstration]:
    """A JSONL of entries (``code`` required; ``cwe``, ``language``, ``problem``; ``cwe`` and
    ``language`` given here fill missing fields) or one .py/.c source file (language from the
    suffix unless given; ``cwe`` required)."""
    p = Path(path)
    if not p.is_file():
        raise DatasetError(f"{p}: no such file")
    source = f"user:{p.name}"
    fill_cwe: object = list(cwe) if cwe is not None and not isinstance(cwe, str) else cwe
    if p.suffix != ".jsonl":
        lang = language or _SUFFIX_LANGUAGE.get(p.suffix)
        if lang is None:
            raise DatasetError(f"{p}:1: field 'language': cannot tell it from the suffix "
                               f"{p.suffix!r}; give --language python|c")
        if fill_cwe is None:
            raise DatasetError(f"{p}:1: field 'cwe' is required for a source file (give --cwe)")
        code = p.read_text(encoding="utf-8")
        if not code.strip():
            raise DatasetError(f"{p}:1: field 'code': the file is empty")
        return [_user_demo(code, _cwes(fill_cwe, f"{p}:1"), _language(lang, f"{p}:1"), "",
                           source)]
    out: list[Demonstration] = []
    for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{p}:{n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{where}: not JSON ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise DatasetError(f"{where}: expected a JSON object")
        entry = obj.get("code")
        if not isinstance(entry, str) or not entry.strip():
            raise DatasetError(f"{where}: field 'code' is required (a non-empty string)")
        problem = obj.get("problem", "")
        if not isinstance(problem, str):
            raise DatasetError(f"{where}: field 'problem' must be a string")
        raw_cwe = obj.get("cwe", fill_cwe)
        if raw_cwe is None:
            raise DatasetError(f"{where}: field 'cwe' is required (give it or --cwe)")
        lang = obj.get("language", language)
        if lang is None:
            raise DatasetError(f"{where}: field 'language' is required (give it or --language)")
        out.append(_user_demo(entry, _cwes(raw_cwe, where), _language(lang, where), problem,
                              source))
    return out
