from __future__ import annotations

import subprocess
from typing import Any

import pytest

from vulnbench.analyzers import AnalysisInput, create_analyzer
from vulnbench.analyzers.bandit import BanditAnalyzer

PICKLE = "import pickle\n\n\ndef load(blob):\n    return pickle.loads(blob)\n"
SHELL = ("import subprocess\n\n\ndef backup(path):\n"
         "    subprocess.run(f'tar -czf out.tgz {path}', shell=True)\n")
SQL_FORMAT = ("def find(conn, name):\n"
              "    return conn.execute(\"SELECT * FROM users WHERE name = '%s'\" % name)\n")
SQL_PARAM = ("def find(conn, name):\n"
             "    return conn.execute('SELECT * FROM users WHERE name = ?', (name,))\n")
FIXED_SHELL = ("import os\nimport shlex\nimport subprocess\n\n\ndef clear():\n"
               "    os.system('cls' if os.name == 'nt' else 'clear')\n\n\n"
               "def thumb(name):\n    src = shlex.quote('uploads/' + name)\n"
               "    subprocess.run(f'convert {src} -resize 64 t.png', shell=True)\n")
NUMERIC_SQL = ("ORDER = {'id', 'name'}\n\n\ndef page(conn, n, sort):\n"
               "    if sort not in ORDER:\n        sort = 'id'\n    size = min(int(n), 100)\n"
               "    return conn.execute(f'SELECT * FROM t ORDER BY {sort} LIMIT {size}')\n\n\n"
               "COLUMNS = {'n': 'name', 'p': 'price'}\n\n\ndef by(conn, key):\n"
               "    column = COLUMNS.get(key)\n"
               "    return conn.execute(f'SELECT * FROM t ORDER BY {column}')\n\n\n"
               "def projection(db, name):\n"
               "    return db.users.find_one({'name': name}, {'password': 0})\n")
BROKEN = "def find(conn, name:\n    return 1\n"
NOSEC = "import pickle\n\n\ndef load(blob):\n    return pickle.loads(blob)  # nosec\n"

BATCH = [AnalysisInput("pickle", PICKLE), AnalysisInput("shell", SHELL),
         AnalysisInput("broken", BROKEN), AnalysisInput("sql", SQL_FORMAT),
         AnalysisInput("param", SQL_PARAM), AnalysisInput("nosec", NOSEC),
         AnalysisInput("fixed-shell", FIXED_SHELL), AnalysisInput("numeric-sql", NUMERIC_SQL),
         AnalysisInput("c-program", "int main(void) { return 0; }\n", language="c")]


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    analyzer = create_analyzer("bandit")
    out = analyzer.analyze(BATCH)
    assert [r.id for r in out] == [item.id for item in BATCH]  # one result each, batch order
    return {r.id: r for r in out}


def _rules(result: Any) -> set[tuple[str, str]]:
    return {(f.rule_id, c) for f in result.findings for c in f.cwe}


def test_registered_with_a_version() -> None:
    analyzer = create_analyzer("bandit")
    assert isinstance(analyzer, BanditAnalyzer)
    assert analyzer.version()[0].isdigit()


def test_pickle_loads_is_cwe_502(results: dict[str, Any]) -> None:
    assert ("B301", "CWE-502") in _rules(results["pickle"])
    assert results["pickle"].error == ""
    finding = next(f for f in results["pickle"].findings if f.rule_id == "B301")
    assert finding.line == 5 and finding.tool == "bandit"


def test_shell_true_is_cwe_78(results: dict[str, Any]) -> None:
    findings = results["shell"].findings
    assert any(f.rule_id == "B602" and f.cwe == ["CWE-78"] and f.severity == "high"
               for f in findings)


def test_shell_call_on_a_fixed_command_is_informational(results: dict[str, Any]) -> None:
    """Literals and shlex.quote'd values only: bandit still reports B605/B602, vulnbench keeps
    them as evidence; the f-string of a raw parameter stays counted."""
    fixed = [f for f in results["fixed-shell"].findings if f.rule_id in ("B602", "B605")]
    assert {f.rule_id for f in fixed} == {"B602", "B605"}
    assert all(BanditAnalyzer.informational(f) for f in fixed)
    raw = [f for f in results["shell"].findings if f.rule_id == "B602"]
    assert raw and not any(BanditAnalyzer.informational(f) for f in raw)


def test_numeric_or_allow_listed_sql_and_a_projection_flag_are_informational(
        results: dict[str, Any]) -> None:
    """int()/min(), an allow-listed name and a constant table's value only reach the SQL;
    {'password': 0} is a MongoDB projection, not a password. The %-formatted name of
    SQL_FORMAT stays counted."""
    findings = results["numeric-sql"].findings
    sql = [f for f in findings if f.rule_id == "B608"]
    flag = [f for f in findings if f.rule_id == "B105"]
    assert len(sql) == 2 and flag  # the clamped/allow-listed query and the table lookup
    assert all(BanditAnalyzer.informational(f) for f in sql + flag)
    raw = [f for f in results["sql"].findings if f.rule_id == "B608"]
    assert raw and not any(BanditAnalyzer.informational(f) for f in raw)


def test_sql_string_formatting_is_cwe_89(results: dict[str, Any]) -> None:
    assert ("B608", "CWE-89") in _rules(results["sql"])


def test_findings_land_in_the_right_samples(results: dict[str, Any]) -> None:
    assert not {c for _, c in _rules(results["pickle"])} & {"CWE-78", "CWE-89"}
    assert not {c for _, c in _rules(results["shell"])} & {"CWE-502", "CWE-89"}
    assert {c for _, c in _rules(results["sql"])} == {"CWE-89"}


def test_parameterized_query_is_clean(results: dict[str, Any]) -> None:
    assert results["param"].findings == [] and results["param"].error == ""


def test_syntax_error_is_an_error_and_does_not_disturb_the_others(
        results: dict[str, Any]) -> None:
    assert results["broken"].error
    assert "syntax" in results["broken"].error.lower()
    assert results["broken"].findings == []
    assert all(results[k].error == "" for k in ("pickle", "shell", "sql", "param"))


def test_nosec_comment_from_the_model_does_not_hide_issues(results: dict[str, Any]) -> None:
    assert ("B301", "CWE-502") in _rules(results["nosec"])


def test_non_python_program_is_an_error_not_a_clean_bill(results: dict[str, Any]) -> None:
    assert results["c-program"].findings == []
    assert "does not analyze c" in results["c-program"].error


def test_bandit_runs_once_per_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    real_run = subprocess.run

    def counting_run(cmd: list[str], *args: Any, **kwargs: Any) -> Any:
        calls.append(list(cmd))
        return real_run(cmd, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", counting_run)
    out = create_analyzer("bandit").analyze([*BATCH, AnalysisInput("more", PICKLE)])
    assert len(calls) == 1
    assert "bandit" in calls[0]
    assert ("B301", "CWE-502") in _rules(out[-1])


def test_empty_or_non_python_batch_runs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_run(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("bandit should not run")

    monkeypatch.setattr(subprocess, "run", no_run)
    analyzer = create_analyzer("bandit")
    assert analyzer.analyze([]) == []
    [only] = analyzer.analyze([AnalysisInput("c", "int x;", language="c")])
    assert only.error


def test_bandit_failure_is_reported_per_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_run(cmd: list[str], *args: Any, **kwargs: Any) -> Any:
        return subprocess.CompletedProcess(cmd, 2, stdout="", stderr="boom: bad config\n")

    monkeypatch.setattr(subprocess, "run", failing_run)
    out = create_analyzer("bandit").analyze(BATCH[:2])
    assert [r.error for r in out] == ["bandit failed: boom: bad config"] * 2


def test_bandit_timeout_is_reported_per_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    def slow_run(cmd: list[str], *args: Any, **kwargs: Any) -> Any:
        raise subprocess.TimeoutExpired(cmd, 3600)

    monkeypatch.setattr(subprocess, "run", slow_run)
    out = create_analyzer("bandit").analyze(BATCH[:2])
    assert all("timed out" in r.error for r in out)
