"""report.html of a defence comparison: compare_runs on a real security run (scripted MOCK
model, real bandit, two prompt styles, --dedup exact) written by the writer ``vulnbench harden
compare`` uses; every figure on the page equals comparison.json, significant differences are
marked, n/a says why, text is escaped, and the page works offline in headless Chromium."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest

from tests.browser_support import open_page
from tests.conftest import reference_bodies
from tests.harden.test_compare import TASKS, _run
from vulnbench.harden.compare import Comparison, Figure, Row, compare_runs
from vulnbench.harden.experiment import write_comparison
from vulnbench.harden.paired import PairedDiff
from vulnbench.report.html import svg
from vulnbench.report.html.folder import folder_page
from vulnbench.report.html.sections_harden import p_text

XSS = "<script>alert(1)</script>"
SPAN = re.compile(r'<span data-harden="([^"]+)" data-row="([^"]+)" data-col="([^"]+)">'
                  r"([^<]*)</span>")


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The comparison folder: security/ (sample 0 the insecure reference, sample 1 the
    secure one; the traversal task's two samples the same secure code) and its comparison."""
    root = tmp_path_factory.mktemp("harden")
    bodies = reference_bodies(TASKS)
    bodies["demo-cwe022-read-upload"] = [bodies["demo-cwe022-read-upload"][1]] * 2
    script = root / "script.json"
    script.write_text(json.dumps(bodies))
    _run(root / "security", script)
    write_comparison(root, compare_runs(root / "security", reps=200))
    return root


def _fmt(kind: str, x: float | None, reps: int) -> str:
    if kind == "p":
        return p_text(x, reps)
    if x is None:
        return "n/a"
    return f"{x:+.3f}" if kind == "diff" else f"{x:.3f}"


def expected(c: Comparison) -> dict[tuple[str, str, str], str]:
    want: dict[tuple[str, str, str], str] = {}
    for r in c.rows:
        for col in c.columns:
            f = r.figures[col]
            want["value", r.strategy, col] = _fmt("value", f.value, c.reps)
            if f.value is None:
                continue
            want["low", r.strategy, col] = _fmt("low", f.ci_low, c.reps)
            want["high", r.strategy, col] = _fmt("high", f.ci_high, c.reps)
            if f.diff is not None:
                want["diff", r.strategy, col] = _fmt("diff", f.diff.observed, c.reps)
                if f.diff.observed is not None:
                    want["p", r.strategy, col] = _fmt("p", f.diff.p_value, c.reps)
    return want


def test_every_figure_equals_comparison_json(compared: Path) -> None:
    c = Comparison.model_validate_json((compared / "comparison.json").read_text())
    text = (compared / "report.html").read_text()
    got = {(k, unescape(row), col): v for k, row, col, v in SPAN.findall(text)}
    assert len(got) == len(SPAN.findall(text))  # each value once
    assert got == expected(c)
    aware = next(r for r in c.rows if r.strategy == "cwe-aware")
    secure = aware.figures["secure@1"].diff
    assert secure is not None and secure.excludes_zero  # every task favours the baseline
    assert got["diff", "cwe-aware", "secure@1"].startswith("-")
    assert got["p", "cwe-aware", "secure@1"] == "&lt;0.01"
    assert got["value", "cwe-aware", "security_rate"] == "n/a"  # no valid sample
    assert "no valid sample" in text and (compared / "comparison.md").is_file()


def test_page_title_charts_and_run_links(compared: Path) -> None:
    text = (compared / "report.html").read_text()
    page = folder_page(compared)
    assert page is not None and page.kinds == {"harden"}
    assert page.title.startswith("vulnbench defence comparison: mock:")
    assert page.meta.startswith("Defences code, cwe-aware; baseline code; 95% bootstrap")
    assert text.count('class="bar"') >= 1 and "minus the baseline" in text
    assert '<a href="security/report.html">' in text  # the run's own page, relative
    assert (compared / "security" / "report.html").is_file()
    assert "http" not in text and "//" not in text


def _diff(observed: float | None, low: float | None, high: float | None,
          significant: bool, p: float | None) -> PairedDiff:
    return PairedDiff(observed=observed, ci_low=low, ci_high=high, p_value=p, tasks=10,
                      excludes_zero=significant)


def made_up() -> Comparison:
    """A comparison of three defences: one significantly better, one not significantly
    different, one with no valid sample (a note with a script tag)."""
    def row(strategy: str, rate: Figure, secure: Figure) -> Row:
        return Row(strategy=strategy, condition=f"mock:m@T0.4/{strategy}", tasks=10,
                   samples=20, valid=18, secure=9,
                   figures={"security_rate": rate, "secure@1": secure})

    base = Figure(value=0.5, ci_low=0.3, ci_high=0.7)
    return Comparison(
        security_dir="/elsewhere/security", baseline="code", ks=[1], reps=2000, seed=0,
        confidence=0.95, columns=["security_rate", "secure@1"], notes=[f"note {XSS}"],
        rows=[row("code", base, base),
              row("secure-instruction",
                  Figure(value=0.8, ci_low=0.6, ci_high=0.9,
                         diff=_diff(0.3, 0.1, 0.5, True, 0.0)),
                  Figure(value=0.55, ci_low=0.3, ci_high=0.8,
                         diff=_diff(0.05, -0.1, 0.2, False, 0.41))),
              row(XSS, Figure(value=None, note=f"no valid sample {XSS}",
                              diff=_diff(None, None, None, False, None)),
                  Figure(value=0.0, ci_low=0.0, ci_high=0.0,
                         diff=_diff(-0.5, -0.7, -0.3, True, 0.0)))])


def test_significance_marks_na_and_escaping(tmp_path: Path) -> None:
    c = made_up()
    write_comparison(tmp_path, c)
    text = (tmp_path / "report.html").read_text()
    got = {(k, unescape(row), col): v for k, row, col, v in SPAN.findall(text)}
    assert got == expected(c)
    assert text.count('class="sig"') == 2 and text.count(">n.s.</span>") == 1
    assert got["p", "secure-instruction", "security_rate"] == "&lt;0.001"  # 0: below 2/reps
    assert XSS not in text and "no valid sample &lt;script&gt;" in text
    assert "note &lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "its page" not in text  # the security run is not below this folder


def test_diff_bars_sides_shades_and_na() -> None:
    chart = svg.diff_bars([("up", 0.3, 0.1, 0.5, True), ("flat", 0.05, -0.1, 0.2, False),
                           ("down", -0.2, -0.3, -0.1, True), ("<b>none</b>", None, None,
                                                              None, False)], "t")
    rects = re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="\d+" '
                       r'fill="(#[0-9a-f]+)"/>', chart)
    assert len(rects) == 3  # n/a draws no bar
    mid = svg.LABEL_W + svg.PLOT_W / 2
    (up_x, _, up_fill), (_, _, flat_fill), (down_x, down_w, _) = rects
    assert float(up_x) == mid and float(down_x) + float(down_w) == pytest.approx(mid)
    assert up_fill != flat_fill  # a difference whose interval holds 0 is pale
    assert ">+0.050 n.s.</text>" in chart and ">n/a</text>" in chart
    assert ">-0.5</text>" in chart and ">+0.5</text>" in chart  # symmetric round axis
    assert "<b>none</b>" not in chart


def test_page_in_chromium(tmp_path: Path) -> None:
    write_comparison(tmp_path, made_up())
    with open_page(tmp_path / "report.html") as opened:
        assert opened.errors == []
        assert opened.external_requests(tmp_path) == []
        value = opened.page.locator('[data-harden="diff"][data-row="secure-instruction"]'
                                    '[data-col="security_rate"]')
        assert value.text_content() == "+0.300"
        assert opened.page.locator("svg").count() == 2  # the rate and its differences
        ids = opened.page.eval_on_selector_all("[id]", "els => els.map(e => e.id)")
        assert len(ids) == len(set(ids))
        overflow = opened.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        opened.screenshot("harden.png", full_page=True)
