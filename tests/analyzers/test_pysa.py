"""Pysa with vulnbench's models, run for real (scripts/setup.sh installs it: a missing Pysa
fails these tests, it does not skip them). Each vulnerable fixture hides its flow where
semgrep OSS's intraprocedural taint does not look (a helper function, a class attribute, a
module-level object, two calls deep); each has a safe twin that must stay clean."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from vulnbench.analyzers import AnalysisInput, create_analyzer
from vulnbench.analyzers.pysa import PysaAnalyzer, find_pysa

HEAD = "from flask import Flask, request, redirect, render_template_string\napp = Flask(__name__)\n"

# (id, code, expected CWE or None for a safe twin)
CASES: list[tuple[str, str, str | None]] = [
    ("sql_helper", HEAD + '''import sqlite3
DB = sqlite3.connect("x.db")
def find(name):
    return DB.execute("SELECT * FROM u WHERE n = '%s'" % name).fetchall()
@app.route("/u")
def user():
    return str(find(request.args.get("n")))
''', "CWE-89"),
    ("sql_param", HEAD + '''import sqlite3
DB = sqlite3.connect("x.db")
def find(name):
    return DB.execute("SELECT * FROM u WHERE n = ?", (name,)).fetchall()
@app.route("/u")
def user():
    return str(find(request.args.get("n")))
''', None),
    ("sql_module_object", HEAD + '''import sqlite3
class Repo:
    def __init__(self, path):
        self.conn = sqlite3.connect(path)
    def by_name(self, name):
        return self.conn.execute(f"SELECT * FROM u WHERE n = '{name}'").fetchall()
REPO = Repo("x.db")
@app.route("/u")
def user():
    return str(REPO.by_name(request.values.get("n")))
''', "CWE-89"),
    ("sql_module_object_param", HEAD + '''import sqlite3
class Repo:
    def __init__(self, path):
        self.conn = sqlite3.connect(path)
    def by_name(self, name):
        return self.conn.execute("SELECT * FROM u WHERE n = ?", (name,)).fetchall()
REPO = Repo("x.db")
@app.route("/u")
def user():
    return str(REPO.by_name(request.values.get("n")))
''', None),
    ("cmd_attr", HEAD + '''import os
class Job:
    def __init__(self, host):
        self.host = host
    def run(self):
        os.system("ping -c 1 " + self.host)
@app.route("/p")
def ping():
    Job(request.form["host"]).run()
    return "ok"
''', "CWE-78"),
    ("cmd_quoted", HEAD + '''import os, shlex
class Job:
    def __init__(self, host):
        self.host = shlex.quote(host)
    def run(self):
        os.system("ping -c 1 " + self.host)
@app.route("/p")
def ping():
    Job(request.form["host"]).run()
    return "ok"
''', None),
    ("shell_true", HEAD + '''import subprocess
def run(cmd):
    return subprocess.check_output(cmd, shell=True)
@app.route("/l")
def listing():
    return run("ls " + request.args["d"])
''', "CWE-78"),
    ("argv_list", HEAD + '''import subprocess
def run(arg):
    return subprocess.check_output(["ls", "--", arg])
@app.route("/l")
def listing():
    return run(request.args["d"])
''', None),
    ("pickle_two_deep", HEAD + '''import base64, pickle
def decode(blob):
    return pickle.loads(blob)
def load(text):
    return decode(base64.b64decode(text))
@app.route("/s", methods=["POST"])
def restore():
    return str(load(request.get_data()))
''', "CWE-502"),
    ("yaml_safe", HEAD + '''import yaml
def parse(text):
    return yaml.load(text, Loader=yaml.SafeLoader)
@app.route("/y", methods=["POST"])
def conf():
    return str(parse(request.data))
''', None),
    ("xxe_module_parser", HEAD + '''from lxml import etree
PARSER = etree.XMLParser(resolve_entities=True)
def parse(doc):
    return etree.fromstring(doc, PARSER)
@app.route("/x", methods=["POST"])
def upload():
    return parse(request.data).tag
''', "CWE-611"),
    ("xxe_safe_parser", HEAD + '''from lxml import etree
PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
def parse(doc):
    return etree.fromstring(doc, PARSER)
@app.route("/x", methods=["POST"])
def upload():
    return parse(request.data).tag
''', None),
    ("log_as_argument", HEAD + '''import logging
log = logging.getLogger(__name__)
@app.route("/in")
def login():
    log.info("login by %r", request.args["user"])
    return "ok"
''', None),
    ("redirect_helper", HEAD + '''def target():
    return request.args.get("next", "/")
@app.route("/login")
def login():
    return redirect(target())
''', "CWE-601"),
    ("redirect_fixed", HEAD + '''ALLOWED = {"home": "/", "profile": "/me"}
@app.route("/login")
def login():
    where = "/me" if request.args.get("next") == "profile" else "/"
    return redirect(where)
''', None),
    ("ssti", HEAD + '''def page(name):
    return render_template_string("<h1>Hello " + name + "</h1>")
@app.route("/h")
def hello():
    return page(request.args["name"])
''', "CWE-1336"),
    ("ssti_context", HEAD + '''def page(name):
    return render_template_string("<h1>Hello {{ n }}</h1>", n=name)
@app.route("/h")
def hello():
    return page(request.args["name"])
''', None),
    ("ssrf_route_param", HEAD + '''import requests
def fetch(url):
    return requests.get(url, timeout=5).text
@app.get("/f/<path:url>")
def proxy(url):
    return fetch(url)
''', "CWE-918"),
    ("path_open", HEAD + '''import os
BASE = "/srv/files"
def read(name):
    with open(os.path.join(BASE, name)) as fh:
        return fh.read()
@app.route("/d")
def download():
    return read(request.args["f"])
''', "CWE-22"),
    ("path_basename", HEAD + '''import os
BASE = "/srv/files"
def read(name):
    with open(os.path.join(BASE, os.path.basename(name))) as fh:
        return fh.read()
@app.route("/d")
def download():
    return read(request.args["f"])
''', None),
    ("eval_int", HEAD + '''def compute(expr):
    return eval(str(int(expr)) + " * 2")
@app.route("/c")
def calc():
    return str(compute(request.args["n"]))
''', None),
    ("eval_helper", HEAD + '''def compute(expr):
    return eval(expr)
@app.route("/c")
def calc():
    return str(compute(request.args["e"]))
''', "CWE-94"),
    ("redos", HEAD + '''import re
def matcher(pattern):
    return re.compile(pattern)
@app.route("/m")
def match():
    return str(bool(matcher(request.args["p"]).match("aaaa")))
''', "CWE-1333"),
    ("redos_escaped", HEAD + '''import re
def matcher(pattern):
    return re.compile(re.escape(pattern))
@app.route("/m")
def match():
    return str(bool(matcher(request.args["p"]).match("aaaa")))
''', None),
    ("log_helper", HEAD + '''import logging
log = logging.getLogger(__name__)
def audit(who):
    log.info("login by " + who)
@app.route("/in")
def login():
    audit(request.args["user"])
    return "ok"
''', "CWE-117"),
    ("django_sql", '''from django.db import connection
from django.http import JsonResponse
def build(name):
    return "SELECT * FROM u WHERE n = '" + name + "'"
def view(request):
    with connection.cursor() as cursor:
        cursor.execute(build(request.GET["n"]))
        return JsonResponse({"rows": cursor.fetchall()})
''', "CWE-89"),
    ("django_param", '''from django.db import connection
from django.http import JsonResponse
def view(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM u WHERE n = %s", [request.GET["n"]])
        return JsonResponse({"rows": cursor.fetchall()})
''', None),
    ("int_id", HEAD + '''import os
def remove(user_id):
    os.system("userdel user" + str(user_id))
@app.route("/rm")
def rm():
    remove(int(request.args["id"]))
    return "ok"
''', None),
    ("fastapi_param", '''import sqlite3
from fastapi import FastAPI
app = FastAPI()
DB = sqlite3.connect("x.db")
def find(q):
    return DB.execute("SELECT * FROM t WHERE name LIKE '%" + q + "%'").fetchall()
@app.get("/s")
def search(q: str):
    return find(q)
''', "CWE-89"),
    ("fastapi_param_safe", '''import sqlite3
from fastapi import FastAPI
app = FastAPI()
DB = sqlite3.connect("x.db")
def find(q):
    return DB.execute("SELECT * FROM t WHERE name LIKE ?", ("%" + q + "%",)).fetchall()
@app.get("/s")
def search(q: str):
    return find(q)
''', None),
    ("aiohttp_query", '''import os
from aiohttp import web
def run(cmd):
    os.system(cmd)
async def handler(request: web.Request):
    run("ping -c 1 " + request.query["host"])
    return web.Response(text="ok")
''', "CWE-78"),
    ("stdlib_argv", '''import os, sys
def clean(value):
    pass
def main():
    target = sys.argv[1]
    clean(target)
    os.system("tar xf " + target)
''', "CWE-78"),
    ("broken", "def f(:\n    pass\n", None),
]


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    """One Pysa run over every fixture (one module each)."""
    assert find_pysa() is not None, "pysa is not installed: run scripts/setup.sh"
    analyzer = create_analyzer("pysa")
    assert analyzer.unavailable() == ""
    out = analyzer.analyze([AnalysisInput(i, code) for i, code, _ in CASES]
                           + [AnalysisInput("js", "alert(1)", "javascript")])
    return {r.id: r for r in out}


@pytest.mark.parametrize("case", [c for c in CASES if c[2]], ids=lambda c: c[0])
def test_flow_found_with_its_cwe(results: dict[str, Any], case: tuple[str, str, str]) -> None:
    res = results[case[0]]
    assert res.error == ""
    assert case[2] in {c for f in res.findings for c in f.cwe}, res.findings
    assert all(f.tool == "pysa" and f.line and f.rule_id.startswith("pysa-")
               for f in res.findings)


@pytest.mark.parametrize("case", [c for c in CASES if not c[2] and c[0] != "broken"],
                         ids=lambda c: c[0])
def test_safe_twin_is_clean(results: dict[str, Any], case: tuple[str, str, None]) -> None:
    res = results[case[0]]
    assert res.error == "" and res.findings == [], res.findings


def test_a_program_that_does_not_compile_is_its_own_error(results: dict[str, Any]) -> None:
    assert "syntax error" in results["broken"].error and results["broken"].findings == []
    assert "javascript" in results["js"].error
    assert results["sql_helper"].findings  # the rest of the batch was analyzed


def test_one_pyre_process_per_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    real = subprocess.run

    def counting(cmd: list[str], *a: Any, **k: Any) -> Any:
        calls.append(list(cmd))
        return real(cmd, *a, **k)

    monkeypatch.setattr(subprocess, "run", counting)
    vuln = dict((c[0], c[1]) for c in CASES)
    out = create_analyzer("pysa").analyze(
        [AnalysisInput(f"s{i}", vuln["sql_helper"] if i % 2 else vuln["sql_param"])
         for i in range(6)])
    assert len([c for c in calls if "analyze" in c]) == 1
    assert [bool(r.findings) for r in out] == [bool(i % 2) for i in range(6)]


def test_lookup_env_var_first_and_never_replaced(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    mine = tmp_path / "pyre"
    mine.write_text("#!/bin/sh\n")
    mine.chmod(0o755)
    monkeypatch.setenv("VULNBENCH_PYSA", str(mine))
    assert find_pysa() == str(mine)
    monkeypatch.setenv("VULNBENCH_PYSA", str(tmp_path / "absent"))
    assert find_pysa() is None
    assert "VULNBENCH_PYSA=" in PysaAnalyzer().unavailable()


def test_missing_pysa_is_an_error_per_sample_with_install_hint(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VULNBENCH_PYSA", "/nonexistent/pyre")
    analyzer = PysaAnalyzer()
    assert "setup.sh" in analyzer.unavailable()
    out = analyzer.analyze([AnalysisInput("a", "x = 1\n")])
    assert "setup.sh" in out[0].error
    assert analyzer.version().startswith("pyre-check missing+models-")


def test_pysa_failure_is_reported_per_sample(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    home = tmp_path / "env"
    (home / "bin").mkdir(parents=True)
    (home / "stubs").mkdir()
    fake = home / "bin" / "pyre"
    fake.write_text("#!/bin/sh\necho 'boom: broken install' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("VULNBENCH_PYSA", str(fake))
    out = PysaAnalyzer().analyze([AnalysisInput("a", "x = 1\n")])
    assert out[0].error == "pysa failed: exit 3: boom: broken install"


def test_models_ship_in_the_wheel() -> None:
    import fnmatch
    import tomllib

    from vulnbench.analyzers.pysa import MODELS_DIR

    root = MODELS_DIR.parents[3]
    data = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["vulnbench"]
    files = [p for p in MODELS_DIR.iterdir() if p.is_file()]
    assert {p.suffix for p in files} == {".pysa", ".config"}
    for path in files:
        rel = str(path.relative_to(MODELS_DIR.parents[1]))
        assert any(fnmatch.fnmatch(rel, pat) for pat in data), rel


# Every module a model names, imported (with a route and a view, so that every model query
# finds something): each model is then checked against its library's signature. The analyzer
# runs with --no-verify (the models of a library no sample imports are skipped), which would
# skip a typo silently too.
MODELED = """import flask, flask.helpers, flask.templating, flask.wrappers, werkzeug.utils
import werkzeug.security, werkzeug.datastructures, werkzeug.sansio.request
import werkzeug.wrappers.request
import jinja2, markupsafe, django.http, django.http.request, django.http.response, django.shortcuts
import django.db, django.db.models.query, django.db.backends.utils, django.utils.html
import django.utils.safestring, sqlalchemy, sqlalchemy.engine.base
import sqlalchemy.sql._elements_constructors, requests.api, requests.sessions, yaml, httpx._api
import httpx._client, jsonpickle.unpickler, ldap3.core.connection, ldap3.utils.conv, pymysql.cursors
import lxml.etree, starlette.requests, aiohttp.web_request, fastapi
import sqlite3, subprocess, os, sys, html, shlex, http.server, socket, socketserver, pickle, marshal
import shelve, urllib.request, urllib.parse, xml.etree.ElementTree, xml.dom.minidom, logging, re
import pathlib, shutil, posixpath, _socket, _pickle
app = flask.Flask(__name__)
@app.route("/<x>")
def index(x):
    return x
class View:
    def get(self, request):
        return request
"""


def test_every_model_matches_its_library(tmp_path: Path) -> None:
    from vulnbench.analyzers.pysa import MODELS_DIR, write_project

    exe = find_pysa()
    assert exe is not None, "pysa is not installed: run scripts/setup.sh"
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "s0.py").write_text(MODELED)
    write_project(tmp_path, exe, MODELS_DIR)
    env = {"PATH": f"{Path(exe).parent}:/usr/bin:/bin", "HOME": str(tmp_path)}
    proc = subprocess.run([exe, "--noninteractive", "analyze", "--save-results-to",
                           str(tmp_path / "out")], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    errors = [ln for ln in (proc.stderr + proc.stdout).splitlines()
              if "pysa_models" in ln and ("not" in ln or "match" in ln or "no models" in ln)]
    assert errors == [] and proc.returncode == 0, errors or proc.stderr[-2000:]
