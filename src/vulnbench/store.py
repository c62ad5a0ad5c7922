"""The run store: one SQLite file per run directory. Every generation and every verdict is
committed when it finishes, so a killed run resumes without repeating finished work; every
phase can be re-run from what is stored. One process at a time works in a run directory
(:class:`RunLock`), so two runs on one ``--out`` never make the same model call twice."""

from __future__ import annotations

import fcntl
import json
import os
import shlex
import socket
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from pydantic import BaseModel

from vulnbench.errors import RunStoreError
from vulnbench.records import Finding, Generation, Prompt, RunSpec, Sample, Verdict

# tables added since (prompts) are created on open, so a store of an earlier vulnbench still
# reads as schema 1 and resumes
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
CREATE TABLE IF NOT EXISTS prompts (
    hash TEXT PRIMARY KEY, task_id TEXT NOT NULL, strategy TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS findings_cache (
    code_hash TEXT NOT NULL, tool TEXT NOT NULL, tool_key TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (code_hash, tool, tool_key));
"""


class RunStore:
    @classmethod
    def read_only(cls, path: Path) -> RunStore:
        """A store over a read-only connection, for readers that must never write a run
        folder (the constructor creates the schema, which needs a writer)."""
        if not path.is_file():
            raise RunStoreError(f"{path.parent}: no run store ({path.name})")
        store = cls.__new__(cls)
        store.path = path
        try:
            store.db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                       check_same_thread=False)
        except sqlite3.DatabaseError as err:
            raise RunStoreError(f"{path}: not a usable vulnbench run store ({err})") from None
        return store

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

    def drop_generations(self, keys: Iterable[str]) -> int:
        """Forget stored generations (their source changed), so they are made again."""
        with self.db:
            cur = self.db.executemany("DELETE FROM generations WHERE key=?",
                                      [(k,) for k in keys])
        return cur.rowcount

    def get_generation(self, key: str) -> Generation | None:
        row = self.db.execute("SELECT data FROM generations WHERE key=?", (key,)).fetchone()
        return None if row is None else Generation.model_validate_json(row[0])

    def rekey(self, keys: dict[str, str]) -> int:
        """Move stored work from old keys to new ones (a key scheme changed), with its samples
        and verdicts, so a resumed run reuses it instead of asking the model again. A new key
        already stored wins; returns how many generations moved."""
        moved = 0
        with self.db:
            for old, new in keys.items():
                for table in ("generations", "samples", "verdicts"):
                    row = self.db.execute(f"SELECT data FROM {table} WHERE key=?",
                                          (old,)).fetchone()
                    taken = self.db.execute(f"SELECT 1 FROM {table} WHERE key=?",
                                            (new,)).fetchone()
                    if row is None or taken is not None:
                        continue
                    data = json.loads(row[0])
                    data["key"] = new
                    self.db.execute(f"UPDATE {table} SET key=?, data=? WHERE key=?",
                                    (new, json.dumps(data), old))
                    moved += table == "generations"
        return moved

    # prompts ----------------------------------------------------------------------------
    def put_prompts(self, prompts: Iterable[Prompt]) -> None:
        """Every prompt asked, by hash, with its strategy and provenance (``meta``)."""
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO prompts VALUES (?, ?, ?, ?)",
                [(p.hash, p.task_id, p.style, p.model_dump_json()) for p in prompts])

    def get_prompt(self, prompt_hash: str) -> Prompt | None:
        row = self.db.execute("SELECT data FROM prompts WHERE hash=?",
                              (prompt_hash,)).fetchone()
        return None if row is None else Prompt.model_validate_json(row[0])

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

    def iter_samples_with_verdicts(self, condition: str
                                   ) -> Iterator[tuple[Sample, Verdict | None]]:
        """A condition's samples, each with its verdict (None: not assessed), in one streamed
        query: a report of a 30,000-sample run makes no query per sample."""
        cur = self.db.execute(
            "SELECT s.data, v.data FROM samples s LEFT JOIN verdicts v ON v.key = s.key "
            "WHERE s.condition=? ORDER BY s.task_id, s.sample_index", (condition,))
        for sample, verdict in cur:
            yield (Sample.model_validate_json(sample),
                   None if verdict is None else Verdict.model_validate_json(verdict))

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


# run directory lock ----------------------------------------------------------------------
LOCK_FILE = ".lock"


class RunLockedError(RunStoreError):
    """Another process works in the run directory."""


class RunLock:
    """Exclusive hold on a run directory: ``flock`` on ``OUT/.lock``. The kernel drops it when
    the holder's descriptor closes, on a crash or SIGKILL too, so no stale lock blocks the next
    run (a run-long SQLite write transaction would too, but it would lose every generation
    committed before a kill). The descriptor is not inherited across exec, so the analyzers and
    sandboxes a run starts never keep it. The file stays: deleting it would let two processes
    lock two different files. It holds who has the lock, for the message the next one shows."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / LOCK_FILE
        self.fd: int | None = None

    def acquire(self, wait: bool = False, echo: Callable[[str], None] = print) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as err:
            raise RunStoreError(f"cannot lock the run directory ({err})") from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _holder(fd)
                if not wait:
                    raise RunLockedError(
                        f"{self.folder} is in use by {holder}. One process at a time works in "
                        "a run directory, so no model call is made twice; vulnbench report "
                        "re-scores and rewrites its outputs, so it waits its turn too. Run "
                        "this again once that one has ended, or give vulnbench run --wait to "
                        "start as soon as it has") from None
                echo(f"waiting for {holder} to finish with {self.folder} ...")
                fcntl.flock(fd, fcntl.LOCK_EX)
            except OSError as err:  # a file system without locks (some network mounts)
                raise RunStoreError(f"cannot lock {self.path} ({err})") from None
            me = {"pid": os.getpid(), "host": socket.gethostname(),
                  "since": datetime.now().astimezone().isoformat(timespec="seconds"),
                  "command": shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]])}
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(me).encode(), 0)
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)  # no stale "who" for a reader that races the next holder
            os.close(self.fd)  # closing drops the flock
            self.fd = None

    def __enter__(self) -> RunLock:
        return self

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()


def _holder(fd: int, tries: int = 20) -> str:
    """Who holds the lock, as its file says; a holder that has just locked may not have
    written yet, so an empty file is read again for a moment."""
    for attempt in range(tries):
        raw = os.pread(fd, 65536, 0)
        try:
            who = json.loads(raw)
            return (f"pid {who['pid']} on {who['host']} since {who['since']} "
                    f"({who['command']})")
        except (ValueError, KeyError, TypeError):
            if attempt + 1 < tries:
                time.sleep(0.05)
    return "another process (it has not said which)"
