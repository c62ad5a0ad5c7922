"""The ``report.html`` page: one self-contained file (inline CSS, JS and SVG, no URL) that
opens from disk and prints. Its sections are plug-ins: each names the run kinds it applies to,
so repair, classification, attack and harden runs add theirs without touching the page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from vulnbench.registry import Registry
from vulnbench.report.reporters import ReportInput


@dataclass(frozen=True)
class Section:
    """A titled block of the page; ``render`` returns HTML with every user text escaped."""

    title: str
    kinds: frozenset[str]
    render: Callable[[ReportInput], str]


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

    def remove(self, name: str) -> None:
        """Drop a section (tests register throwaway ones)."""
        self._entries.pop(name, None)
        if name in self.order:
            self.order.remove(name)


sections = SectionRegistry()


def run_kinds(data: ReportInput) -> frozenset[str]:
    """The kinds of run ``data`` comes from. Every run folder scored by the pipeline is a
    generation run; repair conditions add ``repair``."""
    kinds = {"generate"}
    if any(c.style.startswith("repair") for c in data.results.run_spec.conditions):
        kinds.add("repair")
    return frozenset(kinds)


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
svg text{font-size:11px;fill:#222}svg .small{font-size:10px}
svg .bar{fill:#4a78b5}svg .whisker,svg .axis{stroke:#222;fill:none}
svg .band{fill:#4a78b5;opacity:.2}svg .line{stroke:#4a78b5;fill:none;stroke-width:2}
svg circle{fill:#4a78b5}
pre{background:#f6f6f6;padding:8px;overflow:auto;white-space:pre-wrap;word-break:break-all}
.filters select,.filters button{margin:0 8px 6px 0}
.sample{border:1px solid #ddd;margin:4px 0;padding:2px 8px}
.sample summary{cursor:pointer}.v-secure{color:#176b2c}.v-vulnerable{color:#a3161b}
.v-neither{color:#6b5b17}.code span{display:block}.code .hit{background:#ffd9d9}
@media print{nav,.filters,#pager{display:none}h2{break-after:avoid}
table,svg{break-inside:avoid}}
"""


def render_page(data: ReportInput) -> str:
    """The whole page: every registered section whose kinds meet the run's, in order."""
    kinds = run_kinds(data)
    chosen = [(name, sections.get(name)) for name in sections.order]
    chosen = [(name, s) for name, s in chosen if s.kinds & kinds]
    spec = data.results.run_spec
    nav = " ".join(f'<a href="#{slug(name)}">{escape(s.title)}</a>' for name, s in chosen)
    body = [f'<section id="{slug(name)}"><h2>{escape(s.title)}</h2>{s.render(data)}</section>'
            for name, s in chosen]
    models = ", ".join(m.id for m in spec.models)
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>vulnbench report: {escape(spec.dataset)}</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>vulnbench report</h1>",
        f'<p class="meta">Dataset {escape(spec.dataset)} ({spec.task_count} tasks), '
        f"models {escape(models)}, n = {spec.generation.n}, policy {escape(spec.policy)}, "
        f"vulnbench {escape(spec.vulnbench_version)}.</p>",
        f"<nav>{nav}</nav>", *body, "</body></html>", ""])
