"""``report.html``: a real small run (scripted MOCK model, real sandbox and bandit) written
as one self-contained page whose figures equal results.json, whose samples are all embedded
with their verdicts, and whose model text is escaped; plus the section registry and charts."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.report.conftest import TASKS, XSS
from vulnbench.pipeline.rescore import report
from vulnbench.records import Sample
from vulnbench.report.html import Section, page_for_run, render_page, sections, svg
from vulnbench.report.html.browser import CODE_CAP, embed_json, sample_row
from vulnbench.report.reporters import ReportInput
from vulnbench.results import Results
from vulnbench.sandbox.backends import find_bwrap
from vulnbench.store import RunStore

needs_bwrap = pytest.mark.skipif(find_bwrap() is None, reason="no bwrap")
METRIC = re.compile(r'<span data-metric="([^"]+)" data-condition="([^"]+)" '
                    r'data-view="([^"]+)"[^>]*>([^<]*)</span>')


@pytest.fixture(scope="module")
def folder(mock_report_run: Path) -> Path:
    """The shared MOCK run (tests/report/conftest.py): written by run(), re-written by
    report()."""
    report(mock_report_run)
    return mock_report_run


class _Scripts(HTMLParser):
    """The text of the ``<script id="vb-sample-data">`` element, and every tag's count."""

    def __init__(self) -> None:
        super().__init__()
        self.samples = ""
        self.tags: dict[str, int] = {}
        self._in = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        self._in = tag == "script" and ("id", "vb-sample-data") in attrs

    def handle_endtag(self, tag: str) -> None:
        self._in = False

    def handle_data(self, data: str) -> None:
        if self._in:
            self.samples += data


def _parse(page: str) -> _Scripts:
    parser = _Scripts()
    parser.feed(page)
    return parser


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


@needs_bwrap
def test_every_metric_on_the_page_equals_results_json(folder: Path) -> None:
    page = (folder / "report.html").read_text()
    results = Results.model_validate_json((folder / "results.json").read_text())
    by_label = {c.condition: c for c in results.conditions}
    found = METRIC.findall(page)
    headline = {(m, c) for m, c, v, _ in found if v == "metrics"}
    # six headline metrics for each of the two conditions, each at least once
    assert {m for m, _ in headline} == {"pass@1", "vulnerable@1", "secure@1", "func_sec@1",
                                        "sec@1", "security_rate"}
    assert {c for _, c in headline} == set(by_label) and len(by_label) == 2
    assert {v for _, _, v, _ in found} == {"metrics", "static_metrics", "test_metrics"}
    for name, label, view, text in found:
        assert text == _fmt(getattr(by_label[label], view)[name].value), (name, label, view)
    # hand-computed: every sample runs; half of each task's samples are its insecure reference
    values = {(m, v): t for m, _, v, t in found}
    assert values[("pass@1", "metrics")] == "1.000"
    assert values[("secure@1", "metrics")] == "0.500"
    assert values[("vulnerable@1", "metrics")] == "0.500"


@needs_bwrap
def test_page_is_self_contained_with_charts(folder: Path) -> None:
    page = (folder / "report.html").read_text()
    assert "http" not in page and "//cdn" not in page and " src=" not in page
    tags = _parse(page).tags
    assert tags["style"] == 1 and tags["script"] == 2  # the samples JSON and the browser
    assert tags["svg"] >= 3  # security_rate bars, the CWE heatmap, one temperature line
    assert "<polygon class=\"band\"" in page and "<pre>{" in page  # band; the run spec


@needs_bwrap
def test_samples_are_embedded_with_their_verdicts_and_escaped(folder: Path) -> None:
    page = (folder / "report.html").read_text()
    rows = json.loads(_parse(page).samples)
    assert len(rows) == 12  # 3 tasks x 2 samples x 2 temperatures
    assert len({r["key"] for r in rows}) == 12
    for row in rows:  # sample 0 is the insecure reference, sample 1 the secure one
        assert row["verdict"] == ("vulnerable" if row["index"] == 0 else "secure"), row["key"]
    sqli = [r for r in rows if r["task"] == TASKS[0]]
    assert all(r["cwe"] == ["CWE-89"] and XSS in r["raw"] for r in sqli)
    assert any(f["rule"] == "B608" for r in sqli if r["index"] == 0 for f in r["findings"])
    assert XSS not in page and "</script>alert" not in page
    assert "<\\/script>" in page  # the JSON's escape of the closing tag


@needs_bwrap
def test_cli_report_html_writes_the_page_and_its_size(folder: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    (copy / "report.html").unlink()
    proc = subprocess.run([sys.executable, "-m", "vulnbench.cli.main", "report", str(copy),
                           "--html"], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "200"}, check=False)
    assert proc.returncode == 0, proc.stderr
    page = copy / "report.html"
    assert page.is_file()
    size = f"{page.stat().st_size / 1024:.1f} KiB"
    assert f"html report in {page} ({size})" in proc.stderr


@needs_bwrap
def test_sections_apply_to_their_run_kinds(folder: Path) -> None:
    store = RunStore(folder / "run.sqlite")
    try:
        results = Results.model_validate_json((folder / "results.json").read_text())
        data = ReportInput(results, store, {c.condition for c in results.conditions}, set())
        sections.register("test-generate")(Section(
            "Fake generate section", frozenset({"generate"}), lambda _: "<p>FAKE-GEN</p>"))
        sections.register("test-attack")(Section(
            "Fake attack section", frozenset({"attack"}), lambda _: "<p>FAKE-ATTACK</p>"))
        page = render_page(page_for_run(data))
    finally:
        sections.remove("test-generate")
        sections.remove("test-attack")
        store.close()
    assert "FAKE-GEN" in page and "Fake generate section" in page
    assert "FAKE-ATTACK" not in page and "Fake attack section" not in page
    assert page.index("FAKE-GEN") > page.index('id="spec"')  # registration order
    assert json.loads(_parse(page).samples) == []  # no key counted, no sample shown


def test_bars_draw_no_bar_for_an_undefined_value() -> None:
    out = svg.bars([("a<b", 0.5, 0.25, 0.75), ("c", None, None, None)], "t")
    assert out.count('class="bar"') == 1 and out.count('class="whisker"') == 1
    # 0.5 of a 320-pixel plot; whiskers from 0.25 to 0.75 of it, after the 180-pixel labels
    assert 'width="160.0"' in out and "M260.0 " in out and "H420.0" in out
    assert "a&lt;b" in out and "n/a" in out


def test_heatmap_and_line_mark_undefined_cells() -> None:
    grid = svg.heatmap(["m@T0"], ["CWE-89", "CWE-22"], [[1.0, None]], "h")
    assert 'fill="#ddd"' in grid and "rgba(25,110,60,1.000)" in grid
    chart = svg.line([(0.0, 0.5, 0.25, 0.75), (1.0, None, None, None)], "l")
    assert chart.count("<circle") == 1 and 'class="band"' in chart


def test_embedded_json_cannot_close_its_script() -> None:
    text = embed_json({"raw": "</script><!-- x"})
    assert "</" not in text and "<!--" not in text
    assert json.loads(text) == {"raw": "</script><!-- x"}


def test_code_texts_are_capped_with_a_note() -> None:
    sample = Sample(key="k", condition="c", task_id="t", sample_index=0, raw="r" * 25_000,
                    code="x = 1\n" * 5000, status="ok")
    row = sample_row(sample, None, [])
    assert len(row["raw"]) == CODE_CAP == 20_000 and row["raw_cut"] is True
    assert len(row["code"]) == 20_000 and row["code_cut"] is True
    assert row["verdict"] == "neither" and row["findings"] == []


@needs_bwrap
def test_element_ids_are_unique(folder: Path) -> None:
    """A section's anchor once shared the id of the samples' JSON, and the browser read the
    section's text as JSON: every id in the page is unique."""
    page = (folder / "report.html").read_text()
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert ids and len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
