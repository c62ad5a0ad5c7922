"""Write a comparison's folder: compare.json, compare.md and report.html (the page is the
folder page of kind ``compare``, so ``vulnbench report DIR`` re-writes the same one)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from vulnbench.compare import html as _html  # noqa: F401  (registers the compare sections)
from vulnbench.compare.model import Comparison
from vulnbench.compare.render_md import render_markdown
from vulnbench.errors import VulnbenchError
from vulnbench.report.html.folder import write_folder_page
from vulnbench.report.reporters import write_file

__all__ = ["check_out", "write_outputs"]


def check_out(out: Path, runs: list[Path]) -> None:
    """The output folder must not be a run folder (its page and results would clash)."""
    if any(out.resolve() == r.resolve() for r in runs) or (out / "run.sqlite").exists():
        raise VulnbenchError(f"--out {out} is a run folder; write the comparison elsewhere")


def _text(text: str) -> Callable[[TextIO], None]:
    def write(fh: TextIO) -> None:
        fh.write(text)
    return write


def write_outputs(comparison: Comparison, out: Path) -> list[Path]:
    """The three files, in ``out`` (created); returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in (("compare.json", comparison.to_json() + "\n"),
                       ("compare.md", render_markdown(comparison))):
        path = out / name
        write_file(path, _text(text))
        written.append(path)
    page = write_folder_page(out)
    if page is None:  # the folder holds a run's results.json: not a compare folder
        raise VulnbenchError(f"{out} holds another kind of results.json; no report.html "
                             "written there")
    return [*written, page]
