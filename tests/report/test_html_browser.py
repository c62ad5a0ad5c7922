"""``report.html`` in headless Chromium: a real small MOCK run's page opens offline with no
console error and no request outside its folder, shows results.json's figures, and its sample
browser filters, pages and opens samples (prompt, code with finding lines marked, why the
verdict); a run above the inline limit reads each sample's detail from chunk files."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import Opened, open_page
from tests.report.conftest import TASKS
from vulnbench.pipeline.rescore import report
from vulnbench.records import Finding, Sample, Task, TestOutcome, Verdict
from vulnbench.report.html import browser
from vulnbench.results import Results
from vulnbench.sandbox.backends import find_bwrap
from vulnbench.store import RunStore

needs_bwrap = pytest.mark.skipif(find_bwrap() is None, reason="no bwrap")


@pytest.fixture(scope="module")
def folder(mock_report_run: Path) -> Path:
    """The shared MOCK run (tests/report/conftest.py): written by run(), re-written by
    report()."""
    report(mock_report_run)
    return mock_report_run


def _samples(folder: Path) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in (folder / "samples.jsonl").read_text().splitlines()]
    for row in rows:
        v = row["verdict"]
        row["label"] = ("secure" if v and v["secure"] else
                        "vulnerable" if v and v["vulnerable"] else "neither")
    return rows


def _listed(opened: Opened) -> list[str]:
    keys: list[str] = opened.page.eval_on_selector_all(
        "#vb-list details", "ds => ds.map(d => d.dataset.key)")
    return keys


def _choose(opened: Opened, field: str, value: str) -> None:
    opened.page.select_option(f'#vb-filters select[name="{field}"]', value)


def _open_sample(opened: Opened, key: str) -> Any:
    """Click a listed sample's summary; returns its detail box once it is filled."""
    opened.page.click(f'#vb-list details[data-key="{key}"] summary')
    box = opened.page.wait_for_selector(f'details[data-key="{key}"] .detail[data-ready="1"]')
    assert box is not None
    return box


@needs_bwrap
def test_report_page_in_chromium(folder: Path) -> None:
    results = Results.model_validate_json((folder / "results.json").read_text())
    samples = _samples(folder)
    model = {c.condition: c.model for c in results.conditions}
    assert len(samples) == 12 and len(set(model.values())) == 1
    with open_page(folder / "report.html") as opened:
        page = opened.page
        headline = page.eval_on_selector_all(
            'span[data-metric][data-view="metrics"]',
            "es => es.map(e => [e.dataset.metric, e.dataset.condition, e.textContent])")
        assert len(headline) >= 12  # six headline metrics of two conditions
        by_label = {c.condition: c for c in results.conditions}
        for name, cond, text in headline:
            value = by_label[cond].metrics[name].value
            assert text == ("n/a" if value is None else f"{value:.3f}"), (name, cond)

        assert page.text_content("#vb-count") == "12 of 12 samples"
        assert sorted(_listed(opened)) == sorted(s["key"] for s in samples)
        _choose(opened, "verdict", "vulnerable")
        vulnerable = {s["key"] for s in samples if s["label"] == "vulnerable"}
        assert len(vulnerable) == 6
        assert page.text_content("#vb-count") == "6 of 12 samples"
        assert set(_listed(opened)) == vulnerable
        _choose(opened, "task", TASKS[0])
        both = {s["key"] for s in samples if s["key"] in vulnerable and s["task_id"] == TASKS[0]}
        assert page.text_content("#vb-count") == f"{len(both)} of 12 samples" and len(both) == 2
        assert set(_listed(opened)) == both
        _choose(opened, "verdict", "")
        _choose(opened, "model", next(iter(model.values())))
        assert set(_listed(opened)) == {s["key"] for s in samples if s["task_id"] == TASKS[0]}
        models = page.eval_on_selector_all('select[name="model"] option',
                                           "os => os.map(o => o.value).filter(v => v)")
        assert models == sorted(set(model.values()))

        sqli = next(s for s in samples if s["key"] in both)
        box = _open_sample(opened, sqli["key"])
        hits = box.eval_on_selector_all(".code .hit", "ss => ss.map(s => s.textContent)")
        lines = {f["line"] for f in sqli["verdict"]["findings"]}
        assert hits and {int(h.split()[0]) for h in hits} == lines
        assert any("B608" in f["rule_id"] for f in sqli["verdict"]["findings"])
        why = box.query_selector(".why").text_content()
        assert why.startswith("vulnerable: ") and "B608" in why and "line" in why
        texts = box.eval_on_selector_all("pre", "ps => ps.map(p => p.textContent)")
        assert sqli["raw"] in texts  # raw output, verbatim
        store = RunStore.read_only(folder / "run.sqlite")
        try:
            generation = store.get_generation(sqli["key"])
            assert generation is not None
            prompt = store.get_prompt(generation.prompt_hash)
        finally:
            store.close()
        assert prompt is not None and prompt.system is None
        assert texts[0] == prompt.text  # the exact prompt the model was asked
        opened.screenshot("report.png", full_page=True)
        assert opened.errors == []
        assert opened.external_requests(folder) == []


@needs_bwrap
def test_paging(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "paged"
    shutil.copytree(folder, copy)
    monkeypatch.setattr(browser, "PAGE", 5)
    report(copy, extra=["html"])
    keys = [s["key"] for s in _samples(copy)]
    with open_page(copy / "report.html") as opened:
        seen = []
        for number in (1, 2, 3):
            assert opened.page.text_content("#vb-pager .vb-page").strip() == f"page {number} of 3"
            listed = _listed(opened)
            assert len(listed) == (5 if number < 3 else 2)
            seen += listed
            if number < 3:
                opened.page.click("#vb-pager button:text('next')")
        assert opened.page.is_disabled("#vb-pager button:text('next')")
        assert seen == keys  # every sample once, in the order samples.jsonl has them
        opened.page.click("#vb-pager button:text('previous')")
        assert _listed(opened) == keys[5:10]
        assert opened.errors == []


@needs_bwrap
def test_large_run_reads_sample_detail_from_chunks(folder: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "chunked"
    shutil.copytree(folder, copy)
    monkeypatch.setenv(browser.INLINE_ENV, "4")  # 12 samples: above it
    monkeypatch.setattr(browser, "CHUNK", 5)
    (copy / browser.ASSETS).mkdir()
    (copy / browser.ASSETS / "samples-0009.js").write_text("stale")
    report(copy, extra=["html"])
    chunks = sorted(p.name for p in (copy / browser.ASSETS).iterdir())
    assert chunks == ["samples-0001.js", "samples-0002.js", "samples-0003.js"]
    samples = _samples(copy)
    html = (copy / "report.html").read_text()
    assert samples[11]["code"].splitlines()[-1] not in html  # the detail left the page
    last = samples[11]
    with open_page(copy / "report.html") as opened:
        assert opened.page.text_content("#vb-count") == "12 of 12 samples"
        assert not any("samples-" in u for u in opened.requests)  # nothing loaded yet
        box = _open_sample(opened, last["key"])
        lines = box.eval_on_selector_all("pre.code span", "ss => ss.map(s => s.textContent)")
        assert [line.split("  ", 1)[1] for line in lines] == last["code"].split("\n")
        assert any(u.endswith("samples-0003.js") for u in opened.requests)
        assert opened.errors == []
        assert opened.external_requests(copy) == []
    monkeypatch.delenv(browser.INLINE_ENV)
    report(copy, extra=["html"])  # small again: one file, the chunks removed
    assert not (copy / browser.ASSETS).exists()


def test_why_sentences_and_the_task_prompt_fallback() -> None:
    sample = Sample(key="k", condition="c", task_id="t", sample_index=0, raw="r", code="x",
                    status="ok")
    found = Finding(tool="bandit", rule_id="B608", cwe=["CWE-89"], line=12)
    bad = Verdict(key="k", status="assessed", static_vulnerable=True, test_vulnerable=True,
                  vulnerable=True, secure=False, findings=[found],
                  evidence=["static:bandit:B608:CWE-89:line 12",
                            "test:security:test_injection failed"])
    assert browser.why(sample, bad) == ("vulnerable: bandit B608 (CWE-89) on line 12; the "
                                        "security test test_injection failed.")
    good = Verdict(key="k", status="assessed", functional=True, static_vulnerable=False,
                   test_vulnerable=False, vulnerable=False, secure=True,
                   tests=[TestOutcome(suite="security", name="s", status="passed")])
    assert browser.why(sample, good) == ("secure: no counted static finding, its security "
                                         "tests passed; functional tests passed.")
    late = Verdict(key="k", status="timeout", evidence=["tests:timeout:10 s"])
    assert browser.why(sample, late) == ("neither (timeout): the tests ended with timeout "
                                         "(10 s); no functional test result.")
    broken = sample.model_copy(update={"status": "syntax_error"})
    assert browser.why(broken, None).startswith("neither: the sample was not assessed because "
                                                "its status is syntax_error")
    task = Task(id="t", cwe=["CWE-89"], code_prompt="def f():\n", functional_test="t")
    row = browser.detail_row(sample, bad, None, task)
    assert row["prompt"] == "def f():\n" and row["prompt_stored"] is False
    assert browser.detail_row(sample, bad, "exact", task)["prompt"] == "exact"


@needs_bwrap
def test_report_fits_a_laptop_screen_and_prints(folder: Path, tmp_path: Path) -> None:
    """No sideways scrolling of the page at 1366 px (wide charts scroll in their own box);
    printed, the navigation and the browser's controls are hidden and every section is kept."""
    with open_page(folder / "report.html", width=1366) as opened:
        page = opened.page
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366
        page.emulate_media(media="print")
        assert not page.is_visible("nav") and not page.is_visible("#vb-filters")
        assert page.is_visible("#headline") and page.is_visible("#spec")
        pdf = tmp_path / "report.pdf"
        page.pdf(path=str(pdf), format="A4")
        assert opened.errors == []
    data = pdf.read_bytes()
    pages = re.findall(rb"/Type\s*/Page(?!s)", data)
    assert data.startswith(b"%PDF") and len(pages) >= 2, len(pages)
