"""Headless Chromium for the report tests, driven by Playwright through the Debian chromium
that scripts/setup.sh installs. A missing browser fails the test that asked for it (with the
command that installs it): these tests are the only check that report pages work in a
browser, so they never skip to green."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser")
ARTIFACTS = Path(os.environ.get("VULNBENCH_TEST_ARTIFACTS", "test-artifacts"))


def chromium_path() -> str:
    """The Chromium binary (the real one, not Debian's wrapper script, when both exist)."""
    found = os.environ.get("VULNBENCH_CHROMIUM")
    for path in ((found,) if found else CANDIDATES):
        if path and os.access(path, os.X_OK):
            return path
    which = shutil.which("chromium")
    if which:
        return which
    pytest.fail("no chromium for the report browser tests: run scripts/setup.sh (it installs "
                "Debian's chromium) or set VULNBENCH_CHROMIUM to a Chromium binary")


@dataclass
class Opened:
    """An opened page with what it logged and fetched."""

    page: Any  # playwright.sync_api.Page
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def external_requests(self, allowed: Path) -> list[str]:
        """Requests other than files under ``allowed`` (the page and assets beside it)."""
        prefix = allowed.resolve().as_uri()
        return [u for u in self.requests if not u.startswith(prefix)]

    def screenshot(self, name: str, full_page: bool = False) -> Path:
        """Write a screenshot under the test artifacts folder; returns its path."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path), full_page=full_page)
        return path


@contextmanager
def open_page(path: Path, width: int = 1366, height: int = 900) -> Iterator[Opened]:
    """Open ``path`` (a file) in headless Chromium, offline; collect console errors, page
    errors and every request made."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the report browser tests need Playwright: pip install -e '.[dev]' "
                    "(scripts/setup.sh does)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(),
                                     args=["--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context(viewport={"width": width, "height": height},
                                          offline=True)
            page = context.new_page()
            opened = Opened(page)
            page.on("console", lambda m: opened.errors.append(m.text)
                    if m.type == "error" else None)
            page.on("pageerror", lambda e: opened.errors.append(str(e)))
            page.on("request", lambda r: opened.requests.append(r.url))
            page.goto(path.resolve().as_uri())
            page.wait_for_load_state("load")
            yield opened
        finally:
            browser.close()
