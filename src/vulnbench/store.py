"""The run store: one SQLite file per run directory. Every generation and every verdict is
committed when it finishes, so a killed run resumes without repeating finished work; every
phase can be re-run from what is stored."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from vulnbench.errors import RunStoreError
from vulnbench.records import Finding, Generation, RunSpec, Sample, Verdict

SCHEMA_VERSION = 1
M = TypeVar("M", bound=BaseModel)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS generations (
    key TEXT PRIMARY KEY, condition TEXT NOT NULL, task_id TEXT NOT NULL,
    sample_index INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS samples (
    key TEXT PRIMARY KEY, condition TEXT NOT NULL, task_id TEXT NOT NULL,
    sample_index INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS samples_by_condition ON samples(condition, task_id, sample_index);
CREATE TABLE IF NOT EXISTS verdicts (
    key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS findings_cache (
    code_hash TEXT NOT NULL, tool TEXT NOT NULL, tool_key TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (code_hash, tool, tool_key));
"""


class RunStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, timeout=30, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(_SCHEMA)
            version = self.get_meta("schema_version")
        except sqlite3.DatabaseError as err:
            raise RunStoreError(f"{path}: not a usable vulnbench run store ({err})") from None
        if version is None:
            self.set_meta("schema_version", str(SCHEMA_VERSION))
        elif int(version) != SCHEMA_VERSION:
            raise RunStoreError(f"{path}: run store schema {version}, this vulnbench reads "
                                f"{SCHEMA_VERSION}; use a new --out directory")

    def close(self) -> None:
        self.db.close()

    # meta -------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def save_spec(self, spec: RunSpec) -> None:
        self.set_meta("run_spec", spec.model_dump_json())

    def load_spec(self) -> RunSpec | None:
        raw = self.get_meta("run_spec")
        return None if raw is None else RunSpec.model_validate_json(raw)

    # generations ------------------------------------------------------------------------
    def generation_keys(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT key FROM generations")}

    def put_generation(self, gen: Generation) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO generations VALUES (?, ?, ?, ?, ?)",
                            (gen.key, gen.condition, gen.task_id, gen.sample_index,
                             gen.model_dump_json()))

    def get_generation(self, key: str) -> Generation | None:
        row = self.db.execute("SELECT data FROM generations WHERE key=?", (key,)).fetchone()
        return None if row is None else Generation.model_validate_json(row[0])

    # samples ----------------------------------------------------------------------------
    def put_samples(self, samples: Iterable[Sample]) -> None:
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO samples VALUES (?, ?, ?, ?, ?)",
                [(s.key, s.condition, s.task_id, s.sample_index, s.model_dump_json())
                 for s in samples])

    def iter_samples(self, condition: str | None = None) -> Iterator[Sample]:
        """Stream samples in (condition, task, index) order without loading the whole run."""
        sql = "SELECT data FROM samples"
        args: tuple[str, ...] = ()
        if condition is not None:
            sql += " WHERE condition=?"
            args = (condition,)
        cur = self.db.execute(sql + " ORDER BY condition, task_id, sample_index", args)
        for (data,) in cur:
            yield Sample.model_validate_json(data)

    # verdicts ---------------------------------------------------------------------------
    def verdict_fingerprints(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, fingerprint FROM verdicts").fetchall())

    def put_verdict(self, verdict: Verdict, fingerprint: str) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?)",
                            (verdict.key, fingerprint, verdict.model_dump_json()))

    def get_verdict(self, key: str) -> Verdict | None:
        row = self.db.execute("SELECT data FROM verdicts WHERE key=?", (key,)).fetchone()
        return None if row is None else Verdict.model_validate_json(row[0])

    # analyzer cache ---------------------------------------------------------------------
    def cached_findings(self, code_hash: str, tool: str, tool_key: str) -> list[Finding] | None:
        row = self.db.execute(
            "SELECT data FROM findings_cache WHERE code_hash=? AND tool=? AND tool_key=?",
            (code_hash, tool, tool_key)).fetchone()
        if row is None:
            return None
        return [Finding.model_validate(f) for f in json.loads(row[0])]

    def cache_findings(self, code_hash: str, tool: str, tool_key: str,
                       findings: list[Finding]) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO findings_cache VALUES (?, ?, ?, ?)",
                            (code_hash, tool, tool_key,
                             json.dumps([f.model_dump() for f in findings])))
