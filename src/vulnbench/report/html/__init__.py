"""``report.html``: a self-contained page of a run folder (see ``page``); importing this
package registers the built-in sections."""

from __future__ import annotations

from vulnbench.compare import html as _compare  # noqa: F401  (registers compare sections)
from vulnbench.report.html import sections as _sections  # noqa: F401  (registers sections)
from vulnbench.report.html import sections_attack as _attack  # noqa: F401
from vulnbench.report.html import sections_classify, sections_repair  # noqa: F401
from vulnbench.report.html import sections_harden as _harden  # noqa: F401
from vulnbench.report.html.folder import write_folder_page
from vulnbench.report.html.page import (
    PageInput,
    Section,
    page_for_run,
    render_page,
    run_kinds,
    sections,
)

__all__ = ["PageInput", "Section", "page_for_run", "render_page", "run_kinds", "sections",
           "write_folder_page"]
