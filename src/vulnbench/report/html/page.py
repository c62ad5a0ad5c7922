"""The ``report.html`` page: one self-contained file (inline CSS, JS and SVG, no URL) that
opens from disk and prints. Its sections are plug-ins: each names the kinds of run folder it
applies to (generate, repair, classify, attack, harden), so every feature adds its own
sections through the same registry without touching the page."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from vulnbench.registry import Registry
from vulnbench.report.reporters import ReportInput

# the JSON outputs a page may read, by file name; each marks a kind of run folder
DOCUMENTS = ("results.json", "repair.json", "comparison.json", "topk.json", "compare.json")


@dataclass(frozen=True)
class PageInput:
    """What sections read. ``run`` is a generation run's scored results and store (None for
    a folder the pipeline did not score, e.g. a classify or attack folder); ``documents``
    holds the folder's parsed JSON outputs by file name; ``folder`` is where the page goes
    (sections may write assets beside it, e.g. the sample chunks of a large run)."""

    folder: Path | None
    kinds: frozenset[str]
    title: str
    meta: str  # one line under the title, plain text
    run: ReportInput | None = None
    documents: Mapping[str, Any] = field(default_factory=dict)

    def need_run(self) -> ReportInput:
        """The generation run, for sections registered for generation kinds only."""
        if self.run is None:
            raise ValueError("this section needs a scored generation run")
        return self.run


@dataclass(frozen=True)
class Section:
    """A titled block of the page; ``render`` returns HTML with every user text escaped,
    or "" to leave the section out (e.g. nothing to show for this folder)."""

    title: str
    kinds: frozenset[str]
    render: Callable[[PageInput], str]


class SectionRegistry(Registry[Section]):
    """A registry that remembers registration order: the page reads top to bottom in it."""

    def __init__(self) -> None:
        super().__init__("report section")
        self.order: list[str] = []

    def register(self, name: str) -> Callable[[Section], Section]:
        deco = super().register(name)

        def remember(section: Section) -> Section:
            if name not in self.order:
                self.order.append(name)
            return deco(section)

        return remember

    def place(self, name: str, before: str) -> None:
        """Move ``name`` in front of ``before`` (e.g. a kind's sections above the run spec)."""
        if name in self.order and before in self.order:
            self.order.remove(name)
            self.order.insert(self.order.index(before), name)

    def remove(self, name: str) -> None:
        """Drop a section (tests register throwaway ones)."""
        self._entries.pop(name, None)
        if name in self.order:
            self.order.remove(name)


sections = SectionRegistry()


def read_documents(folder: Path | None) -> dict[str, Any]:
    """The folder's JSON outputs that parse; a missing or broken file is simply absent."""
    docs: dict[str, Any] = {}
    if folder is None:
        return docs
    for name in DOCUMENTS:
        try:
            docs[name] = json.loads((folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
    return docs


def folder_kinds(run: ReportInput | None, documents: Mapping[str, Any]) -> frozenset[str]:
    """The kinds of run a folder holds. Every folder the pipeline scored is a generation run;
    repair conditions add ``repair``; a classify results.json (task detect/cwe), an attack
    results.json (its ``attacked`` CWEs, or a transfer's ``sources`` x ``models``) and a
    harden comparison.json mark their kinds."""
    kinds: set[str] = set()
    if run is not None:
        kinds.add("generate")
        if any(c.style.startswith("repair") for c in run.results.run_spec.conditions):
            kinds.add("repair")
    results = documents.get("results.json")
    if isinstance(results, dict):
        if results.get("task") in {"detect", "cwe"} and "summary" in results:
            kinds.add("classify")
        if "attacked" in results and "matrix" in results:
            kinds.add("attack")
        if {"sources", "models", "matrix"} <= results.keys():  # vulnbench invert transfer
            kinds.add("attack")
    if "comparison.json" in documents:
        kinds.add("harden")
    if "compare.json" in documents:  # vulnbench compare: a leaderboard over run folders
        kinds.add("compare")
    return frozenset(kinds)


def run_kinds(data: ReportInput) -> frozenset[str]:
    """The kinds of a generation run folder (documents read from ``data.folder``)."""
    return folder_kinds(data, read_documents(data.folder))


def page_for_run(data: ReportInput) -> PageInput:
    """The page input of a folder the pipeline scored."""
    spec = data.results.run_spec
    docs = read_documents(data.folder)
    models = ", ".join(m.id for m in spec.models)
    meta = (f"Dataset {spec.dataset} ({spec.task_count} tasks), models {models}, "
            f"n = {spec.generation.n}, policy {spec.policy}, vulnbench {spec.vulnbench_version}.")
    return PageInput(folder=data.folder, kinds=folder_kinds(data, docs),
                     title=f"vulnbench report: {spec.dataset}", meta=meta, run=data,
                     documents=docs)


def slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name.lower())


STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;
max-width:1200px;padding:0 16px 48px;color:#1b1b1b;background:#fff}
h1{font-size:22px;margin:18px 0 4px}h2{font-size:18px;margin:28px 0 8px;
border-bottom:1px solid #ccc;padding-bottom:3px}h3{font-size:15px;margin:16px 0 6px}
nav a{margin-right:12px}p.meta{color:#555;margin:0 0 12px}
table{border-collapse:collapse;margin:6px 0 12px;font-variant-numeric:tabular-nums}
th,td{border:1px solid #d4d4d4;padding:3px 7px;text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left}th{background:#f3f3f3}
.ci{color:#666;font-size:12px}.note{color:#666;font-size:12px}
.scroll{overflow-x:auto;max-width:100%}
svg text{font-size:11px;fill:#222}svg .small{font-size:10px}
svg .bar{fill:#4a78b5}svg .whisker,svg .axis{stroke:#222;fill:none}
svg .band{fill:#4a78b5;opacity:.2}svg .line{stroke:#4a78b5;fill:none;stroke-width:2}
svg circle{fill:#4a78b5}
pre{background:#f6f6f6;padding:8px;overflow:auto;white-space:pre-wrap;word-break:break-all}
.filters select,.filters button{margin:0 8px 6px 0}
.sample{border:1px solid #ddd;margin:4px 0;padding:2px 8px}
.sample summary{cursor:pointer}.v-secure{color:#176b2c}.v-vulnerable{color:#a3161b}
.v-neither{color:#6b5b17}.code span{display:block}.code .hit{background:#ffd9d9}
@media print{nav,.filters,#vb-pager{display:none}h2{break-after:avoid}
table,svg{break-inside:avoid}.scroll{overflow:visible}}
"""


def render_page(page: PageInput) -> str:
    """The whole page: every registered section whose kinds meet the folder's, in order;
    a section that renders "" is left out with its navigation link."""
    chosen = [(name, sections.get(name)) for name in sections.order]
    rendered = [(name, s, s.render(page)) for name, s in chosen if s.kinds & page.kinds]
    rendered = [r for r in rendered if r[2]]
    nav = " ".join(f'<a href="#{slug(name)}">{escape(s.title)}</a>' for name, s, _ in rendered)
    body = [f'<section id="{slug(name)}"><h2>{escape(s.title)}</h2>{html}</section>'
            for name, s, html in rendered]
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(page.title)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{escape(page.title)}</h1>",
        f'<p class="meta">{escape(page.meta)}</p>',
        f"<nav>{nav}</nav>", *body, "</body></html>", ""])
