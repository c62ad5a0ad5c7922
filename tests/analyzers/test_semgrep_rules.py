"""vulnbench's semgrep rule pack: every rule carries a CWE and has a positive (``.bad``) and a
negative (``.good``) fixture beside it, checked by ``semgrep --test``.

semgrep --test fails a file whose annotations name rules that report nothing, so the
positive and the negative fixtures run as two test trees."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from vulnbench.analyzers._tools import RULES_DIR, find_semgrep

SEMGREP = find_semgrep()
needs_semgrep = pytest.mark.skipif(SEMGREP is None, reason="semgrep is not installed "
                                   "(scripts/setup.sh creates .venv-semgrep)")
RULE_FILES = sorted(RULES_DIR.rglob("*.yaml"))


def _rules() -> list[tuple[Path, dict[str, object]]]:
    return [(path, rule) for path in RULE_FILES
            for rule in yaml.safe_load(path.read_text())["rules"]]


def test_pack_covers_the_required_cwes() -> None:
    cwes = {(path.parent.name, int(m)) for path, rule in _rules()
            for c in rule["metadata"]["cwe"]  # type: ignore[index]
            for m in re.findall(r"CWE-(\d+)", c)}
    python = {20, 22, 78, 79, 89, 90, 94, 95, 113, 117, 209, 215, 259, 798, 295, 312, 327,
              328, 338, 352, 377, 1333, 434, 502, 601, 611, 643, 732, 776, 918, 943,
              # the long tail (python_longtail.py and the extended python_misc.py rules)
              208, 252, 276, 285, 297, 319, 321, 326, 385, 400, 477, 489, 532, 595, 605, 703,
              759, 760, 827, 862, 916}
    c = {22, 78, 120, 125, 134, 190, 208, 252, 259, 295, 327, 328, 338, 377, 415, 416, 476,
         676, 732, 787, 798}
    assert python <= {n for lang, n in cwes if lang == "python"}
    assert c <= {n for lang, n in cwes if lang == "c"}


def test_every_rule_has_a_cwe_and_both_fixtures() -> None:
    assert len(RULE_FILES) >= 35
    for path, rule in _rules():
        cwe = rule["metadata"]["cwe"]  # type: ignore[index]
        assert all(re.match(r"^CWE-\d+: .+", c) for c in cwe), (path, rule["id"])
        ext = ".c" if path.parent.name == "c" else ".py"
        bad = path.with_name(path.stem + ".bad" + ext)
        good = path.with_name(path.stem + ".good" + ext)
        assert bad.is_file() and good.is_file(), path
        assert f"ruleid: {rule['id']}" in bad.read_text(), (bad, rule["id"])
        assert f"ok: {rule['id']}" in good.read_text(), (good, rule["id"])


def _tree(tmp: Path, kind: str) -> Path:
    root = tmp / kind
    for fixture in RULES_DIR.rglob(f"*.{kind}.*"):
        dest = root / fixture.relative_to(RULES_DIR)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(fixture, dest)
    return root


@needs_semgrep
@pytest.mark.parametrize("kind", ["bad", "good"])
def test_semgrep_test_passes_on_fixtures(tmp_path: Path, kind: str) -> None:
    assert SEMGREP is not None
    tree = _tree(tmp_path, kind)
    proc = subprocess.run(
        [SEMGREP, "--test", "--metrics=off", "--disable-version-check", "--config",
         str(RULES_DIR), str(tree)], capture_output=True, text=True, timeout=600, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    assert "did not pass" not in out, out[-4000:]
    if kind == "bad":
        assert "All tests passed" in out, out[-4000:]


@needs_semgrep
def test_negative_fixtures_are_clean_for_their_rules(tmp_path: Path) -> None:
    """Stricter than semgrep --test: no finding of a rule anywhere in its negative file."""
    assert SEMGREP is not None
    tree = _tree(tmp_path, "good")
    proc = subprocess.run(
        [SEMGREP, "scan", "--json", "--metrics=off", "--disable-version-check", "-q",
         "--no-git-ignore", "--config", str(RULES_DIR), str(tree)],
        capture_output=True, text=True, timeout=600, check=False)
    report = json.loads(proc.stdout)
    assert not [e for e in report["errors"] if e.get("level") == "error"], report["errors"]
    wrong = []
    for res in report["results"]:
        rule = res["check_id"].rsplit(".", 1)[-1]
        text = Path(res["path"]).read_text()
        if f"ok: {rule}" in text:
            wrong.append((Path(res["path"]).name, rule, res["start"]["line"]))
    assert not wrong
