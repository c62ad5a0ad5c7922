"""report.html of a repair run: a real ``vulnbench repair`` on a scripted MOCK model (answers
known: per task the secure reference, the insecure input again, broken code), real sandbox
and bandit. The page's repair figures must equal repair.json although the run writes
report.html before repair.json, and the page must work in a browser."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.browser_support import open_page
from vulnbench.cli.main import app
from vulnbench.datasets import load_dataset
from vulnbench.sandbox.backends import find_bwrap

pytestmark = pytest.mark.skipif(find_bwrap() is None, reason="no bwrap")

TASKS = ["demo-cwe089-user-lookup", "demo-cwe022-read-upload"]
BY_ID = {t.id: t for t in load_dataset("demo").tasks if t.id in TASKS}
BROKEN = "```python\nimport module_that_does_not_exist_anywhere\n```"
VALUE = re.compile(r'<span data-metric="([^"]+)" data-condition="([^"]+)" '
                   r'data-view="(outcomes|repair)" data-value="([^"]+)">')


def fenced(code: str) -> str:
    return f"Fixed:\n```python\n{code.rstrip()}\n```"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("repair_html")
    script = tmp / "mock.json"
    script.write_text(json.dumps({tid: [fenced(t.secure_reference),
                                        fenced(t.insecure_reference), BROKEN]
                                  for tid, t in BY_ID.items()}))
    out = tmp / "run"
    args = ["repair", "--out", str(out), "--dataset", "demo", "--model", f"mock:{script}",
            "--temperature", "0", "--n", "3", "--k", "1,2", "--analyzer", "bandit",
            "--no-progress"]
    for tid in TASKS:
        args += ["--task", tid]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return out


def page_values(html: str) -> dict[tuple[str, str, str], float]:
    return {(m, c, v): float(x) for m, c, v, x in VALUE.findall(html)}


def json_values(repair: dict[str, object]) -> dict[tuple[str, str, str], float]:
    out: dict[tuple[str, str, str], float] = {}
    for c in repair["conditions"]:  # type: ignore[attr-defined]
        for name, count in c["outcomes"].items():
            out[(name, c["condition"], "outcomes")] = float(count)
        for name, entry in c["metrics"].items():
            if entry["value"] is not None:
                out[(name, c["condition"], "repair")] = entry["value"]
    return out


def test_page_written_by_repair_equals_repair_json(folder: Path) -> None:
    html = (folder / "report.html").read_text()
    repair = json.loads((folder / "repair.json").read_text())
    expected = json_values(repair)
    label = repair["conditions"][0]["condition"]
    # hand-computed (tests/repair): 2 repaired, 2 unchanged, 2 broken; SEC@1 = 1
    assert expected[("repaired", label, "outcomes")] == 2.0
    assert expected[("unchanged", label, "outcomes")] == 2.0
    assert expected[("SEC@1", label, "repair")] == 1.0
    assert page_values(html) == expected
    # the repair sections sit above the sample browser, with the per-CWE table
    assert html.index('id="repair-outcomes"') < html.index('id="browser"')
    assert 'data-view="per_cwe" data-value="1.0" data-cwe="CWE-89"' in html


def test_report_rewrites_the_same_figures(folder: Path) -> None:
    before = page_values((folder / "report.html").read_text())
    result = CliRunner().invoke(app, ["report", str(folder)])
    assert result.exit_code == 0, result.output
    after = (folder / "report.html").read_text()
    repair = json.loads((folder / "repair.json").read_text())
    assert page_values(after) == json_values(repair)
    assert page_values(after) == before  # CodeBLEU included: it no longer varies by process


def test_page_in_a_browser(folder: Path) -> None:
    repair = json.loads((folder / "repair.json").read_text())
    cond = repair["conditions"][0]
    with open_page(folder / "report.html") as opened:
        assert opened.errors == []
        assert opened.external_requests(folder) == []
        page = opened.page
        shown = page.locator('#repair-outcomes [data-metric="broken"]').first.inner_text()
        assert shown == str(cond["outcomes"]["broken"])
        sec = page.locator('#repair-metrics [data-metric="SEC@1"]').first
        assert float(sec.get_attribute("data-value")) == cond["metrics"]["SEC@1"]["value"]
        assert page.locator("#repair-outcomes svg rect").count() >= 3  # 3 outcome parts
        page.locator("#repair-outcomes").scroll_into_view_if_needed()
        opened.screenshot("repair.png")
