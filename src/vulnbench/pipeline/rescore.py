"""Scoring from the store alone. A run records what it scored (its tasks, and per condition
the sample keys of its outputs, with the k values and analyzers) in the run store, so that
``vulnbench report`` re-scores and rewrites the outputs from the store: no dataset to load
again, no model to load, nothing assessed, nothing written to the store."""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field

from vulnbench.conditions import strategy_name
from vulnbench.datasets import Dataset
from vulnbench.errors import RunStoreError
from vulnbench.pipeline.score import blind_tasks, score_condition
from vulnbench.records import ConditionRecord, Record, RunSpec, Task
from vulnbench.report.markdown import tables_by_temperature, write_outputs
from vulnbench.report.reporters import DEFAULT_REPORTERS, ReportInput, write_reports
from vulnbench.results import BlindTask, ConditionResult, Results, Stats
from vulnbench.store import LOCK_FILE, RunStore

SCORING_META = "scoring"
_TASKS_TABLE = """CREATE TABLE IF NOT EXISTS tasks (
    position INTEGER PRIMARY KEY, id TEXT NOT NULL, data TEXT NOT NULL)"""


class ScoredCondition(Record):
    """One condition of the outputs (as the run spec records it) and the samples they count."""

    condition: ConditionRecord
    keys: list[str]

    @property
    def strategy(self) -> str:
        return strategy_name(self.condition.style, self.condition.style_params)


class ScoreOptions(Record):
    """What scoring needs besides the samples: the run's k values, bootstrap size, and which
    checks ran (for the blind tasks)."""

    ks: list[int]
    bootstrap_reps: int = 1000
    analyzers: list[str] = Field(default_factory=list)  # those that ran
    tests_run: bool = True


class ScoringRecord(Record):
    """What the last finished run scored; the tasks are in the store's ``tasks`` table."""

    dataset: str
    conditions: list[ScoredCondition]
    options: ScoreOptions


def score(store: RunStore, conditions: Sequence[ScoredCondition], tasks: Sequence[Task],
          options: ScoreOptions) -> tuple[list[ConditionResult], list[BlindTask]]:
    """Every condition's results, and the tasks no check can judge. A pure read of the store."""
    blind = blind_tasks(tasks, options.analyzers, options.tests_run)
    by_id = {t.id: t for t in tasks}
    ids = frozenset(b.task for b in blind)
    return [score_condition(store, c.condition.label, c.condition.model,
                            c.condition.temperature, by_id, set(c.keys), options.ks,
                            options.bootstrap_reps, ids)
            for c in conditions], blind


def results_of(store: RunStore, record: ScoringRecord, tasks: Sequence[Task], spec: RunSpec,
               stats: Stats) -> Results:
    """The results document of a run: its conditions scored, blind tasks, dataset warnings
    and the per-model temperature tables."""
    scored, blind = score(store, record.conditions, tasks, record.options)
    return Results(run_spec=spec, stats=stats, conditions=scored,
                   warnings=Dataset(record.dataset, list(tasks)).warnings, blind_tasks=blind,
                   temperature_tables=tables_by_temperature(
                       scored, [c.strategy for c in record.conditions]))


def save_scoring(store: RunStore, tasks: Sequence[Task], record: ScoringRecord) -> None:
    """Keep what a run scored, in one transaction (a reader sees the old or the new record)."""
    with store.db:
        store.db.execute(_TASKS_TABLE)
        store.db.execute("DELETE FROM tasks")
        store.db.executemany("INSERT INTO tasks VALUES (?, ?, ?)",
                             [(i, t.id, t.model_dump_json()) for i, t in enumerate(tasks)])
        store.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                         (SCORING_META, record.model_dump_json()))


def load_scoring(store: RunStore) -> tuple[ScoringRecord, list[Task]] | None:
    """The last finished run's record and tasks; None for a store written before runs kept
    them (its report re-runs the pipeline once, which records them)."""
    raw = store.get_meta(SCORING_META)
    if raw is None:
        return None
    rows = store.db.execute("SELECT data FROM tasks ORDER BY position").fetchall()
    return (ScoringRecord.model_validate_json(raw),
            [Task.model_validate_json(data) for (data,) in rows])


@dataclass
class ReadLock:
    """A shared ``flock`` on ``OUT/.lock``: reports may read together, never while a run
    holds the folder (it may be re-assessing under new settings, and a report then would mix
    two settings in one results.json). It writes nothing, so a read-only folder works."""

    folder: Path
    fd: int | None = None

    def __enter__(self) -> ReadLock:
        path = self.folder / LOCK_FILE
        if not path.exists():
            return self  # no run ever locked this folder
        try:
            self.fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            fcntl.flock(self.fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunStoreError(f"{self.folder} is in use by {_holder(self.fd)}: vulnbench "
                                "report reads a finished run; run it again once that one has "
                                "ended") from None
        except OSError:  # a file system without locks: a report only reads
            pass
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _holder(fd: int | None) -> str:
    try:
        who = json.loads(os.pread(fd, 65536, 0)) if fd is not None else {}
        return f"pid {who['pid']} on {who['host']} since {who['since']} ({who['command']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another vulnbench run"


def report(out: Path, echo: Callable[[str], None] = print,
           extra: Sequence[str] = ()) -> Results | None:
    """Re-score ``out`` from its store and rewrite its outputs, plus the ``extra`` reporters
    named (e.g. ``html``); None when the store predates recorded scoring inputs."""
    started = time.perf_counter()
    db = out / "run.sqlite"
    with ReadLock(out):
        store = RunStore(db)
        try:
            loaded = load_scoring(store)
            spec = store.load_spec()
            if loaded is None or spec is None:
                return None
            record, tasks = loaded
            keys = {k for c in record.conditions for k in c.keys}
            labels = {c.condition.label for c in record.conditions}
            ok = sum(1 for label in labels for s in store.iter_samples(label)
                     if s.key in keys and s.status == "ok")
            stats = Stats(new_generations=0, reused_generations=len(keys), assessed=0,
                          reused_verdicts=ok, seconds=0.0)
            results = results_of(store, record, tasks, spec, stats)
            results.stats.seconds = round(time.perf_counter() - started, 2)
            write_outputs(out, results, store, labels, keys)
            extra = [name for name in extra if name not in DEFAULT_REPORTERS]
            if extra:
                write_reports(out, ReportInput(results, store, labels, keys, out), extra)
        finally:
            store.close()
    return results
