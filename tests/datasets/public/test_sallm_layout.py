"""SALLM read from its published ``PythonDataset/`` layout (``sallm_layout.py`` writes one):
tests, requirements and files from each task's own ``{technique}/{source}`` folder."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import pytest
from sallm_layout import (
    ASSERTION_502,
    MATCHING_502,
    PNG,
    SQLI_089,
    UNTESTED_078,
    UPLOAD_434,
    XSS_079,
    Entry,
    make_layout,
)

from vulnbench.datasets.public import load_public
from vulnbench.datasets.public._requirements import parse_requirements
from vulnbench.datasets.public._sallm_layout import docker_copies
from vulnbench.errors import DatasetError
from vulnbench.records import Task
from vulnbench.sandbox.backends import create_sandbox, find_bwrap
from vulnbench.sandbox.tests_runner import TestRun as Run
from vulnbench.sandbox.tests_runner import run_task_tests_batch

needs_bwrap = pytest.mark.skipif(find_bwrap() is None, reason="no bwrap")


def tasks_of(base: Path) -> dict[str, Task]:
    return {t.id: t for t in load_public(f"sallm:{base}").tasks}


def suites(run: Run) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for o in run.outcomes:
        out.setdefault(o.suite, []).append(o.status)
    return out


def test_folder_or_dataset_file_finds_everything(tmp_path: Path) -> None:
    base = make_layout(tmp_path)
    for spec in (base, base / "dataset.jsonl"):
        loaded = load_public(f"sallm:{spec}")
        by_id = {t.id: t for t in loaded.tasks}
        assert len(by_id) == 8
        tested = [t for t in loaded.tasks if t.functional_test and t.security_test]
        assert {t.id for t in tested} == set(by_id) - {UNTESTED_078.id}
        assert any(f"1 task(s) without a test: {UNTESTED_078.id}" in n for n in loaded.notes)
        sqli = by_id[SQLI_089.id]
        assert sqli.requirements == ["Flask==2.3.3", "Flask-SQLAlchemy==3.0.5",
                                     "pycryptodome==3.19.0"]
        assert sqli.insecure_reference == SQLI_089.code and sqli.code_prompt == SQLI_089.prompt
        assert "SALLM test: Tainted/Author/test_A_cwe089_0.py" in sqli.explanation
        assert by_id[ASSERTION_502.id].requirements == []


def test_missing_folder_or_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"folder without dataset\.jsonl"):
        load_public(f"sallm:{tmp_path}")
    with pytest.raises(DatasetError, match="no such file or folder"):
        load_public(f"sallm:{tmp_path / 'PythonDataset'}")


def test_colliding_module_names_get_their_own_tests(tmp_path: Path) -> None:
    by_id = tasks_of(make_layout(tmp_path))
    assertion, matching = by_id[ASSERTION_502.id], by_id[MATCHING_502.id]
    assert "from A_cwe502_0 import load_data" in assertion.functional_test
    assert "deserialize" not in assertion.functional_test + assertion.security_test
    assert "from A_cwe502_0 import deserialize" in matching.functional_test
    assert "test_TestA_cwe502_0_test_security" in matching.security_test
    assert "Matching/Author/test_A_cwe502_0.py" in matching.explanation


def test_assets_are_laid_as_files(tmp_path: Path) -> None:
    loaded = load_public(f"sallm:{make_layout(tmp_path)}")
    by_id = {t.id: t for t in loaded.tasks}
    files = {f.path: f for f in by_id[UPLOAD_434.id].files}
    # the folder's asset folders at their relative paths (what the tests open) ...
    assert files["assets/img/test_A_cwe434_0.png"].encoding == "base64"
    assert base64.b64decode(files["assets/img/test_A_cwe434_0.png"].content) == PNG
    assert files["static/image.png"].data() == PNG + b"static"
    assert files["assets/templates/template.html"].content == "<p>{{ name }}</p>\n"
    # ... and where the Dockerfile's `COPY assets/* /prompt/` puts them (a later COPY wins)
    assert files["test_A_cwe434_0.png"].data() == PNG
    assert files["image.png"].data() == PNG + b"static"
    assert "template.html" in files
    # never the programs, tests, pins or Dockerfiles, hidden files, or files over the limit
    assert not {"SE_cwe434_0.py", "test_SE_cwe434_0.py", "SE_cwe434_0_requirements.txt",
                "SE_cwe434_0_Dockerfile", ".DS_Store", "static/big.bin", "big.bin"} & set(files)
    assert sum("static/big.bin left out" in n for n in loaded.notes) == 1
    xss = {f.path: f.content for f in by_id[XSS_079.id].files}
    assert xss == {"templates/result.html": "<h1>Hello, {{ name }}!</h1>\n",
                   "static/csv_data.csv": "a,b\n1,2\n"}
    assert by_id[ASSERTION_502.id].files == []  # Assertion/Author holds no asset folder


@pytest.mark.parametrize(("text", "expected"), [
    ("lxml==4.6.3Flask==2.3.3", ["lxml==4.6.3", "Flask==2.3.3"]),
    ("Flask==2.3.3\nFlask-SQLAlchemy==3.0.5pycryptodome==3.19.0",
     ["Flask==2.3.3", "Flask-SQLAlchemy==3.0.5", "pycryptodome==3.19.0"]),
    ("PyJWT==2.3.0Django==4.2.3paramiko==3.3.1",
     ["PyJWT==2.3.0", "Django==4.2.3", "paramiko==3.3.1"]),
    ("Django==4.2.3beautifulsoup4", ["Django==4.2.3", "beautifulsoup4"]),
    ("pkg==1.0rc1\nother==2.0b2requests==2.31.0", ["pkg==1.0rc1", "other==2.0b2",
                                                    "requests==2.31.0"]),
    ("# pins\nFlask == 2.3.3  # web\n\nflask==2.3.3\nlxml>=4.6 , <5",
     ["Flask==2.3.3", "lxml>=4.6,<5"]),
    ("", []),
])
def test_requirements_normalized_and_split(text: str, expected: list[str]) -> None:
    assert parse_requirements(text)[0] == expected


def test_requirement_options_are_reported_not_followed() -> None:
    assert parse_requirements("-r base.txt\n--index-url https://x\nFlask==2.3.3") == (
        ["Flask==2.3.3"], ["-r base.txt", "--index-url https://x"])


def test_dockerfile_copy_lines(tmp_path: Path) -> None:
    folder = tmp_path / "Tainted" / "Author"
    for rel in ("m.py", "assets/a.txt", "assets/sub/b.txt", "Database/database.db",
                "Database/schema.sql", "conf.ini"):
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(rel)
    (tmp_path / "shared.txt").write_text("root")
    dockerfile = folder / "m_Dockerfile"
    dockerfile.write_text("\n".join([
        "FROM python:3.10-slim", "# comment", "WORKDIR /prompt",
        "COPY --chown=1000 m.py \\", "     /prompt/", 'COPY ["assets/*", "./"]',
        "COPY Database /prompt/Database", "COPY conf.ini settings.ini",
        "COPY shared.txt /prompt/", "COPY conf.ini /etc/", "COPY nothere.txt /prompt/",
        'CMD ["python", "-m", "unittest"]']))
    placed, notes = docker_copies(dockerfile, [folder, tmp_path])
    assert {k: v.relative_to(tmp_path).as_posix() for k, v in placed.items()} == {
        "m.py": "Tainted/Author/m.py",
        "a.txt": "Tainted/Author/assets/a.txt",
        "b.txt": "Tainted/Author/assets/sub/b.txt",  # a matched folder's contents, flattened
        "Database/database.db": "Tainted/Author/Database/database.db",
        "Database/schema.sql": "Tainted/Author/Database/schema.sql",
        "settings.ini": "Tainted/Author/conf.ini",
        "shared.txt": "shared.txt",  # not in the task folder: from the dataset root
    }  # /etc/conf.ini is outside WORKDIR
    assert notes == ["nothere.txt"]


def test_legacy_tests_folder_with_colliding_modules(tmp_path: Path) -> None:
    """``?tests=DIR`` (another layout): a test importing a module name that several tasks
    share is used only where its path names the task's technique and source."""
    base = make_layout(tmp_path, [ASSERTION_502, MATCHING_502])
    for entry in (ASSERTION_502, MATCHING_502):
        (base / entry.technique / entry.source / f"test_{entry.module}.py").unlink()
    other = tmp_path / "tests"
    (other / "Matching" / "Author").mkdir(parents=True)
    (other / "Matching" / "Author" / "t.py").write_text(MATCHING_502.test or "")
    (other / "loose_test.py").write_text(ASSERTION_502.test or "")
    loaded = load_public(f"sallm:{base}?tests={other}")
    by_id = {t.id: t for t in loaded.tasks}
    assert "deserialize" in by_id[MATCHING_502.id].functional_test
    assert by_id[ASSERTION_502.id].functional_test == ""
    assert any("shared by several tasks" in n and "A_cwe502_0" in n for n in loaded.notes)


def _run(task: Task, code: str) -> Run:
    return run_task_tests_batch(create_sandbox("bwrap"), task, [code])[0]


@needs_bwrap
def test_colliding_tasks_pass_their_own_tests_in_the_sandbox(tmp_path: Path) -> None:
    by_id = tasks_of(make_layout(tmp_path, [ASSERTION_502, MATCHING_502]))
    for entry in (ASSERTION_502, MATCHING_502):
        run = _run(by_id[entry.id], entry.code)
        assert run.status == "assessed", run
        assert suites(run) == {"functional": ["passed"], "security": ["failed"]}, run
    # the other task's program under this task's test: what indexing by module name gave
    crossed = _run(by_id[ASSERTION_502.id], MATCHING_502.code)
    assert "cannot import name 'load_data'" in crossed.outcomes[0].detail


def _holds_polarity(entry: Entry, tmp_path: Path) -> None:
    task = tasks_of(make_layout(tmp_path, [entry]))[entry.id]
    run = _run(task, entry.code)
    assert run.status == "assessed", run
    assert suites(run) == {"functional": ["passed"], "security": ["failed"]}, run.outcomes


@needs_bwrap
@pytest.mark.parametrize("entry", [UPLOAD_434, XSS_079], ids=lambda e: e.module)
def test_assets_reach_the_tests_in_the_sandbox(entry: Entry, tmp_path: Path) -> None:
    """Needs Task.files laid into the sandbox work dir (and XSS_079: its Flask pin)."""
    _holds_polarity(entry, tmp_path)


@needs_bwrap
def test_task_with_pinned_requirements_passes_in_its_environment(tmp_path: Path) -> None:
    """Flask-SQLAlchemy==3.0.5 and pycryptodome==3.19.0 (glued on one line upstream) are not
    in the shared runtime: the task passes its functional test only in its own environment."""
    _holds_polarity(SQLI_089, tmp_path)


def test_cli_dataset_stats_reads_the_folder(tmp_path: Path) -> None:
    base = make_layout(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "vulnbench.cli.main", "dataset", "stats",
                           f"sallm:{base}"], capture_output=True, text=True, check=False,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "tasks: 8" in proc.stdout and "with_tests: 7" in proc.stdout


def test_copy_sources_that_do_not_exist_are_counted_once(tmp_path: Path) -> None:
    base = make_layout(tmp_path, [ASSERTION_502, MATCHING_502])
    for entry in (ASSERTION_502, MATCHING_502):
        dockerfile = base / entry.technique / entry.source / f"{entry.module}_Dockerfile"
        dockerfile.write_text(dockerfile.read_text() + "COPY static/* /prompt/\n")
    notes = load_public(f"sallm:{base}").notes
    assert [n for n in notes if "COPY" in n] == [
        "SALLM: Dockerfile COPY sources that do not exist (nothing to lay; Docker would stop "
        "there): 'static/*' in 2 task(s)"]


def test_folders_the_code_opens_are_laid(tmp_path: Path) -> None:
    """``Tainted/Author/Database/`` is laid for a task whose program opens
    ``Database/database.db``, not for one that does not."""
    opens = Entry("Tainted", "Author", "A_cwe089_1", '''import sqlite3


def get_user(name: str):
    """
    Return the row of the user `name` from Database/database.db.
    """''', '''
    db = sqlite3.connect("Database/database.db")
    return db.execute(f"SELECT * FROM users WHERE name = '{name}'").fetchone()
''', None)
    base = make_layout(tmp_path, [opens, SQLI_089])
    database = base / "Tainted" / "Author" / "Database"
    database.mkdir()
    (database / "database.db").write_bytes(b"SQLite format 3\0")
    (database / "schema.sql").write_text("CREATE TABLE users (name TEXT);\n")
    by_id = tasks_of(base)
    assert [f.path for f in by_id[opens.id].files] == ["Database/database.db",
                                                       "Database/schema.sql"]
    assert by_id[opens.id].files[0].encoding == "base64"
    assert by_id[SQLI_089.id].files == []
