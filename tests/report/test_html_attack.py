"""report.html of an attack folder: the hand-counted inversion run of tests/attack/test_results
written by the writer ``vulnbench invert`` uses, and a transfer folder's results.json; every
figure on the page equals results.json, undefined cells say n/a and are hatched, model text is
escaped, and the page works offline in headless Chromium."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.attack.test_results import MAIN, fixture
from tests.browser_support import open_page
from vulnbench.attack.confirm import Confirmation
from vulnbench.attack.report import write_outputs
from vulnbench.attack.results import InversionResults, build_results
from vulnbench.attack.transfer import Cell, TransferResults
from vulnbench.report.html import svg, write_folder_page
from vulnbench.report.html.folder import folder_page
from vulnbench.report.html.page import folder_kinds, read_documents

XSS = "<script>alert(1)</script>"


class _Values(HTMLParser):
    """Every ``data-attack`` span: (kind, its data-* keys) -> text."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[tuple[str, tuple[tuple[str, str], ...]], str] = {}
        self._open: tuple[str, tuple[tuple[str, str], ...]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        data = {k[5:]: v or "" for k, v in attrs if k.startswith("data-")}
        if "attack" in data:
            kind = data.pop("attack")
            self._open = (kind, tuple(sorted(data.items())))

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            assert self._open not in self.values, f"two values for {self._open}"
            self.values[self._open] = data
            self._open = None


def values(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], str]:
    parser = _Values()
    parser.feed(text)
    return parser.values


def key(kind: str, **keys: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    return kind, tuple(sorted(keys.items()))


@pytest.fixture(scope="module")
def attack(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, InversionResults]:
    """The hand-counted run, its model named with a script tag, with an exploit confirmation
    row, written by write_outputs (what ``vulnbench invert`` calls)."""
    kw = fixture()
    kw["info"] = {**kw["info"], "model": XSS}
    res = build_results(kw.pop("codes"), **kw)
    res = res.model_copy(update={"confirmation": {MAIN.label: {"python": Confirmation(
        applicable=3, exploited=2, resisted=1, flagged_and_exploited=2, tasks=["t1"])}}})
    out = tmp_path_factory.mktemp("attack") / "inversion"
    write_outputs(out, res)
    return out, res


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}%"


def test_every_figure_equals_results_json(attack: tuple[Path, InversionResults]) -> None:
    out, _ = attack
    res = InversionResults.model_validate_json((out / "results.json").read_text())
    got = values((out / "report.html").read_text())
    want = {}
    for method, langs in res.matrix.items():
        for lang, m in langs.items():
            for i, row in enumerate(m.rows):
                for col, p in zip(m.columns, m.percent[i], strict=True):
                    want[key("matrix", method=method, language=lang, row=row, col=col)] = pct(p)
    for lang, t in res.totals.items():
        for r in t.rows:
            for col, n in zip(t.columns, r.counts, strict=True):
                want[key("totals", language=lang, method=r.method, col=col)] = str(n)
            want[key("totals", language=lang, method=r.method, col="fuzzy")] = str(
                r.total_fuzzy)
    for method, langs in res.growth.items():
        for lang, curves in langs.items():
            for cwe, pts in curves.items():
                want[key("growth", method=method, language=lang, row=cwe)] = str(
                    pts[-1][1] if pts else 0)
    for s in res.sweeps.shots:
        want[key("shots", method=s.method, row=str(s.shots))] = str(s.vulnerable)
    for t in res.sweeps.temperature:
        want[key("temperature", method=t.method,
                 row=f"{t.prompt_temperature:g}/{t.code_temperature:g}")] = str(t.vulnerable)
    for lang, rec in res.reconstruction.items():
        for sr in rec.success:
            want[key("reconstruction", language=lang, row=str(sr.threshold))] = (
                "n/a" if sr.rate is None else f"{sr.rate:.4f}")
    for label, langs in res.confirmation.items():
        for lang, c in langs.items():
            want[key("confirmation", row=label, language=lang)] = str(c.exploited)
    assert got == want
    # the hand counts of test_results, as they read on the page
    assert got[key("matrix", method="fs-code", language="python", row="CWE-22",
                   col="CWE-22")] == "40%"
    assert got[key("totals", language="python", method="fs-code", col="Total")] == "4"
    assert res.sweeps.shots and res.sweeps.temperature and res.reconstruction


def test_undefined_cells_say_na_and_are_hatched(attack: tuple[Path, InversionResults]) -> None:
    out, res = attack
    m = res.matrix["fs-code"]["python"]
    row = m.rows.index("CWE-89")
    assert m.percent[row] == [None] * len(m.columns)  # targeted, nothing scored
    text = (out / "report.html").read_text()
    got = values(text)
    assert all(got[key("matrix", method="fs-code", language="python", row="CWE-89", col=c)]
               == "n/a" for c in m.columns)
    chart = svg.heatmap(m.rows, m.columns, m.percent, "t", scale=100.0, label=pct,
                        hatch=True)
    assert chart.count('stroke="#999"') == len(m.columns)  # one hatch per undefined cell
    assert "CWE-89 / CWE-22: n/a" in chart and ">40%</text>" in chart
    assert 'stroke="#999"' in text


def test_model_text_is_escaped_and_titles_the_page(
        attack: tuple[Path, InversionResults]) -> None:
    out, _ = attack
    text = (out / "report.html").read_text()
    assert XSS not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    page = folder_page(out)
    assert page is not None and page.kinds == {"attack"}
    assert page.title == f"vulnbench model inversion: {XSS}"
    assert "attacked CWEs Python: CWE-22, CWE-79, CWE-89" in page.meta
    assert "methods FS-Code, CVE-Prompt" in page.meta and "languages Python" in page.meta
    for name in ("attack-totals", "attack-matrix", "attack-growth", "attack-sweeps",
                 "attack-reconstruction", "attack-confirmation"):
        assert f'<section id="{name}">' in text
    assert 'id="attack-transfer"' not in text  # no transfer here
    assert "http" not in text and "//" not in text


def transfer_results() -> TransferResults:
    return TransferResults(
        sources={"local@T0.6": "/runs/a", "<b>src</b>": "/runs/b"},
        models=["local@T0.6", "mock:x@T0.2"], k2=5,
        matrix={"python": {
            "local@T0.6": {"local@T0.6": Cell(prompts=2, codes=10, scored=8, vulnerable=4,
                                              per_cwe={"CWE-89": 4}),
                           "<b>src</b>": Cell(prompts=1, codes=5, scored=0)},
            "mock:x@T0.2": {"local@T0.6": Cell(prompts=2, codes=10, scored=10,
                                               vulnerable=1)}}})


def test_transfer_folder_is_an_attack_folder_with_its_matrix(tmp_path: Path) -> None:
    res = transfer_results()
    (tmp_path / "results.json").write_text(res.model_dump_json(indent=2))
    assert folder_kinds(None, read_documents(tmp_path)) == {"attack"}
    path = write_folder_page(tmp_path)
    assert path == tmp_path / "report.html"
    text = path.read_text()
    got = values(text)
    want = {key("transfer", language="python", row=m, col=s):
            f"{c.codes if c else 0} / {c.vulnerable if c else 0}"
            for m in res.models for s in res.sources
            for c in [res.matrix["python"].get(m, {}).get(s)]}
    assert got == want
    assert got[key("transfer", language="python", row="mock:x@T0.2", col="<b>src</b>")] == (
        "0 / 0")
    # vulnerable share of scored: 4/8; no scored code (and no cell at all) is n/a, hatched
    assert ">0.500</text>" in text and text.count('stroke="#999"') == 2
    assert "<b>src</b>" not in text and "&lt;b&gt;src&lt;/b&gt;" in text
    assert 'id="attack-transfer"' in text and 'id="attack-matrix"' not in text
    page = folder_page(tmp_path)
    assert page is not None and page.title == "vulnbench prompt transferability"
    assert "Models local@T0.6, mock:x@T0.2" in page.meta


def test_lines_draws_one_line_per_series_with_a_legend() -> None:
    chart = svg.lines([("CWE-22", [(1, 0), (2, 1), (7, 3)]), ("<i>x</i>", [(1, 1)]),
                       ("empty", [])], "growth", "codes", "vulnerable")
    assert chart.count("<polyline") == 2  # no points, no line, but a legend entry
    assert "CWE-22 (3 at 7)" in chart and "empty (no points)" in chart
    assert "<i>x</i>" not in chart and "&lt;i&gt;x&lt;/i&gt;" in chart
    assert ">10</text>" in chart and ">5</text>" in chart  # x axis up to a round 10


def test_heatmap_defaults_are_unchanged() -> None:
    chart = svg.heatmap(["a"], ["b", "c"], [[0.25, None]], "t")
    assert ">0.250</text>" in chart and ">n/a</text>" in chart and "#999" not in chart


def test_page_in_chromium(attack: tuple[Path, InversionResults]) -> None:
    out, res = attack
    with open_page(out / "report.html") as opened:
        assert opened.errors == []
        assert opened.external_requests(out) == []
        cell = opened.page.locator('[data-attack="totals"][data-method="fs-code"]'
                                   '[data-col="Total"]')
        assert cell.text_content() == str(res.totals["python"].rows[0].counts[-1])
        assert opened.page.locator("svg").count() >= 5
        assert opened.page.title() == f"vulnbench model inversion: {XSS}"
        ids = opened.page.eval_on_selector_all("[id]", "els => els.map(e => e.id)")
        assert len(ids) == len(set(ids))
        # nothing wider than the page: charts and tables fit or scroll in their box
        overflow = opened.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        opened.screenshot("attack.png", full_page=True)
    json.loads((out / "results.json").read_text())  # still there, untouched by the page
