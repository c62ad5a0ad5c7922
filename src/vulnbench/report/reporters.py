"""The reporter registry: each output of a run folder is a registered reporter that writes
one file from the results and the store (``json``: results.json, ``markdown``: report.md,
``samples``: samples.jsonl; html and compare register the same way). Files are replaced
atomically, so a reader never sees half a file, and the old file stays if writing fails."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TextIO

from vulnbench.records import Sample, Verdict
from vulnbench.registry import Registry
from vulnbench.results import Results
from vulnbench.store import RunStore


@dataclass(frozen=True)
class ReportInput:
    """What a reporter reads: the scored results, and the store for per-sample detail."""

    results: Results
    store: RunStore
    conditions: set[str]
    keys: set[str]  # the samples the results count
    folder: Path | None = None  # the run folder (report.html reads repair.json etc. there)

    def counted(self) -> Iterator[tuple[Sample, Verdict | None]]:
        """The samples the results count with their verdicts, conditions in name order."""
        for condition in sorted(self.conditions):
            for sample, verdict in self.store.iter_samples_with_verdicts(condition):
                if sample.key in self.keys:
                    yield sample, verdict


@dataclass(frozen=True)
class Reporter:
    filename: str
    write: Callable[[ReportInput, TextIO], None]


reporters: Registry[Reporter] = Registry("reporter")
DEFAULT_REPORTERS = ("json", "markdown", "samples", "html")


def _json(data: ReportInput, fh: TextIO) -> None:
    fh.write(data.results.model_dump_json(indent=2) + "\n")


def _markdown(data: ReportInput, fh: TextIO) -> None:
    from vulnbench.report.markdown import render_markdown  # markdown imports this module

    fh.write(render_markdown(data.results))


def _samples(data: ReportInput, fh: TextIO) -> None:
    """One line per sample: raw and processed code, status, repairs and its verdict."""
    for sample, verdict in data.counted():
        row = sample.model_dump()
        row["verdict"] = verdict.model_dump() if verdict else None
        fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def _html(data: ReportInput, fh: TextIO) -> None:
    """``report.html``: the self-contained page (see vulnbench.report.html)."""
    from vulnbench.report.html import page_for_run, render_page  # its sections import this

    fh.write(render_page(page_for_run(data)))


reporters.register("json")(Reporter("results.json", _json))
reporters.register("markdown")(Reporter("report.md", _markdown))
reporters.register("samples")(Reporter("samples.jsonl", _samples))
reporters.register("html")(Reporter("report.html", _html))


def write_file(path: Path, write: Callable[[TextIO], None]) -> None:
    """Write ``path`` through a temporary file beside it and rename it into place."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            write(fh)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_reports(out: Path, data: ReportInput,
                  names: Sequence[str] = DEFAULT_REPORTERS) -> list[Path]:
    """Write each named reporter's file into ``out``; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    if data.folder is None:
        data = replace(data, folder=out)
    for name in names:
        reporter = reporters.get(name)
        path = out / reporter.filename
        write_file(path, partial(reporter.write, data))
        written.append(path)
    return written
