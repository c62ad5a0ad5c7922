"""``report.html`` for folders the generation pipeline did not score: a classify folder, an
attack folder, a harden comparison, a ``vulnbench compare`` leaderboard. Their sections read
the folder's JSON outputs; each kind names its page's title and meta line in ``describers``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TextIO

from vulnbench.registry import Registry
from vulnbench.report.html.page import PageInput, folder_kinds, read_documents, render_page
from vulnbench.report.reporters import write_file

Describe = Callable[[Mapping[str, Any]], tuple[str, str]]  # documents -> (title, meta)
describers: Registry[Describe] = Registry("report page kind")
FOLDER_KINDS = ("compare", "classify", "attack", "harden")  # the first one a folder has titles it


def is_pipeline_results(documents: Mapping[str, Any]) -> bool:
    """results.json written by the generation pipeline (a run spec and conditions)."""
    results = documents.get("results.json")
    return isinstance(results, dict) and "run_spec" in results and "conditions" in results


def folder_page(folder: Path) -> PageInput | None:
    """The page input of a classify, attack or harden folder; None for anything else."""
    docs = read_documents(folder)
    if is_pipeline_results(docs):
        return None
    kinds = folder_kinds(None, docs)
    kind = next((k for k in FOLDER_KINDS if k in kinds), None)
    if kind is None:
        return None
    if kind in describers:
        title, meta = describers.get(kind)(docs)
    else:
        title, meta = f"vulnbench {kind} report", str(folder)
    return PageInput(folder=folder, kinds=kinds, title=title, meta=meta, documents=docs)


def write_folder_page(folder: Path) -> Path | None:
    """Write ``folder/report.html``; None (nothing written) when the folder is not one of
    the kinds above."""
    page = folder_page(folder)
    if page is None:
        return None
    path = folder / "report.html"
    text = render_page(page)

    def write(fh: TextIO) -> None:
        fh.write(text)

    write_file(path, write)
    return path
