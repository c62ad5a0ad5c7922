"""report.html of a ``vulnbench classify`` folder, written by the classify run itself, on the
scripted FAKE models of tests/classify (plumbing only: answers known). Figures on the page
equal results.json, the confusion matrix counts are the hand-computed ones, answer text is
escaped, and the page works in a browser."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.browser_support import open_page
from tests.classify.fakes import SCRIPT, use_fakes, write_tasks
from vulnbench.classify.runner import ClassifyOptions, classify
from vulnbench.models.base import BackendOptions

HOSTILE = "<script>alert(1)</script> & <b>bold</b>"
FIGURE = re.compile(r'<span data-metric="([^"]+)"(?: data-class="([^"]+)")? '
                    r'data-value="([^"]+)">')
CELL = re.compile(r'<span data-truth="([^"]+)" data-answer="([^"]+)">(\d+)</span>')


@pytest.fixture()
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    use_fakes(monkeypatch)
    # the path task's secure reference gets a hostile answer (still read as "yes": wrong)
    monkeypatch.setitem(SCRIPT, ("detect", "PATH_GOOD"), f"Yes. {HOSTILE}")
    out = tmp_path / "o"
    classify(ClassifyOptions(out=out, dataset=str(write_tasks(tmp_path / "tasks.jsonl")),
                             task="detect", model="fake-scripted",
                             backend=BackendOptions(concurrency=1)), lambda _: None)
    return out


def test_page_equals_results_json(folder: Path) -> None:
    html = (folder / "report.html").read_text()
    results = json.loads((folder / "results.json").read_text())
    s = results["summary"]
    figures = {(m, c): float(v) for m, c, v in FIGURE.findall(html)}
    assert figures[("accuracy", "")] == s["accuracy"] == pytest.approx(3 / 4)
    assert figures[("macro_f1", "")] == s["macro"]["f1"]
    assert figures[("weighted_f1", "")] == s["weighted"]["f1"]
    for cls, v in s["classes"].items():
        for name in ("precision", "recall", "f1", "support"):
            assert figures[(name, cls)] == v[name]
    for row in results["table7"]["rows"]:
        assert figures[("detect_accuracy", row["cwe"])] == row["detect_accuracy"]
    # answers V,N,V,V against truth V,N,V,N: rows truth, columns answer
    cells = {(t, a): int(n) for t, a, n in CELL.findall(html)}
    assert cells == {("vulnerable", "vulnerable"): 2, ("vulnerable", "not-vulnerable"): 0,
                     ("not-vulnerable", "vulnerable"): 1,
                     ("not-vulnerable", "not-vulnerable"): 1}
    assert s["confusion"]["matrix"] == [[2, 0], [1, 1]]


def test_title_meta_and_escaping(folder: Path) -> None:
    html = (folder / "report.html").read_text()
    assert "<title>vulnbench classify report: " in html
    assert "model fake-scripted" in html and "n = 1 at temperature 0.0" in html
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<script>") == 1  # the answer filter's own script only
    assert "http:" not in html and "https:" not in html and "//cdn" not in html


def test_page_in_a_browser(folder: Path) -> None:
    results = json.loads((folder / "results.json").read_text())
    with open_page(folder / "report.html") as opened:
        assert opened.errors == []
        assert opened.external_requests(folder) == []
        page = opened.page
        acc = page.locator('[data-metric="accuracy"]').first
        assert float(acc.get_attribute("data-value")) == results["summary"]["accuracy"]
        rows = page.locator("#vb-answers tbody tr")
        assert rows.count() == len(results["items"]) == 4
        assert HOSTILE in page.locator("#vb-answers").inner_text()  # shown as text
        page.locator("#vb-answers-wrong").check()
        visible = [rows.nth(i).is_visible() for i in range(rows.count())]
        assert visible.count(True) == 1  # the one wrong answer
        assert page.locator("#classify-confusion svg rect").count() == 4
        opened.screenshot("classify.png", full_page=True)
