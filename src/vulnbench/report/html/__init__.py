"""``report.html``: a self-contained page of a run (see ``page``); importing this package
registers the generation-run sections."""

from __future__ import annotations

from vulnbench.report.html import sections as _sections  # noqa: F401  (registers sections)
from vulnbench.report.html.page import Section, render_page, run_kinds, sections

__all__ = ["Section", "render_page", "run_kinds", "sections"]
