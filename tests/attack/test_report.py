"""report.md renders the figures of the hand-counted run of test_results as Markdown tables;
write_outputs leaves results.json (which round-trips) and report.md, and no temporary file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.attack.test_results import MAIN, fixture
from vulnbench.attack.report import render_markdown, write_outputs
from vulnbench.attack.results import InversionResults, build_results


@pytest.fixture(scope="module")
def res() -> InversionResults:
    kw = fixture()
    return build_results(kw.pop("codes"), **kw)


@pytest.fixture(scope="module")
def md(res: InversionResults) -> str:
    return render_markdown(res)


def test_header(md: str) -> None:
    assert md.startswith("# Model inversion (CodeLMSec few-shot attack): tiny-model\n")
    assert "- Methods: FS-Code, CVE-Prompt (baseline)" in md
    assert "- Attacked CWEs (Python): CWE-22, CWE-79, CWE-89" in md
    assert "- config.k: 5" in md and "- config.k_prime: 5" in md
    assert "- timing.wall_s: 12.5" in md
    assert f"| {MAIN.label} | FS-Code | 3 | 0.6 | 0.6 | yes |" in md
    assert "| fs-code/s1/Tp0.6/Tc0.6 | FS-Code | 1 | 0.6 | 0.6 | sweep |" in md


def test_totals_table(md: str) -> None:
    assert ("| method | CWE-22 | CWE-79 | CWE-89 | Other | Total | Total (fuzzy) | scored |"
            in md)
    fs = md.index("| FS-Code | 2 | 1 | 1 | 1 | 4 | 3 | 6 |")
    cve = md.index("| CVE-Prompt | 0 | 0 | 1 | 0 | 1 | 1 | 2 |")
    assert fs < cve  # the baseline row comes last
    assert "| FS-Code | 2 | 1 | 0 | 3 |" in md  # own-CWE hits


def test_matrix_table(md: str) -> None:
    assert "### FS-Code, Python: % of scored codes per found CWE" in md
    assert "| CWE-22 | 40 | 0 | 20 | 20 | 3 | 5 |" in md
    assert "| CWE-79 | 0 | 100 | 0 | 0 | 1 | 1 |" in md
    assert "| CWE-89 | - | - | - | - | 0 | 0 |" in md  # targeted, nothing scored


def test_matrix_none_is_a_dash() -> None:
    kw = fixture()
    codes = [c for c in kw.pop("codes") if c.id != "c8"]
    md = render_markdown(build_results(codes, **kw))
    assert "| CWE-79 | - | - | - | - | 0 | 0 |" in md


def test_counts_growth_sweeps_reconstruction(md: str) -> None:
    # prompts, empty prompts, generated, empty, syntax, dup exact/fuzzy, scored, vul, vul fuzzy,
    # unjudged: CWE-22 and CWE-79 of the main condition summed
    assert f"| {MAIN.label} | Python | 3 | 2 | 9 | 1 | 1 | 1 | 1 | 6 | 4 | 3 | 1 |" in md
    assert "| CWE-22 | 7 | 2 / 2 @2 | 3 / 2 @4 | 3 / 2 @6 | 3 / 2 @7 |" in md
    assert "## Number of shots (App. D, Fig. 5)" in md
    assert "| FS-Code | 3 (main) | 1 | 1 | 1 |" in md  # main row: the swept CWE only
    assert "| FS-Code | 0.2 | 0.6 | 1 | 0 |" in md
    assert "| CWE-89 | 0 | - | - | - | - |" in md
    assert "| 50 | 67% (2/3) |" in md
    assert "| 95 | 33% (1/3) |" in md
    assert "| ex-a | 100.0 | c6 |" in md
    assert "| ex-c | 0.0 | - |" in md
    assert f"| {MAIN.label} | Python | 3 | 3 |" in md  # promising prompts / prompts
    assert "## How to read this" in md


def test_no_sweeps_no_sweep_tables() -> None:
    kw = fixture()
    codes = [c for c in kw.pop("codes") if c.condition == MAIN]
    kw["prompts"] = {k: p for k, p in kw["prompts"].items() if p.condition == MAIN}
    kw["main"] = {"fs-code": MAIN}
    md = render_markdown(build_results(codes, **kw))
    assert "Number of shots" not in md and "Sampling temperatures" not in md
    assert "CVE-Prompt |" not in md


def test_write_outputs(tmp_path: Path, res: InversionResults, md: str) -> None:
    out = tmp_path / "run" / "inversion"
    write_outputs(out, res)
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.md", "results.json"]
    assert InversionResults.model_validate_json((out / "results.json").read_text()) == res
    assert (out / "results.json").read_text().startswith('{\n  "run": {')
    assert (out / "report.md").read_text() == md
    write_outputs(out, res)  # replaced in place
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.md", "results.json"]
