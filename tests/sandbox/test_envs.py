"""Per-task environments built with uv (envs.py), end to end: built once and reused, a pin that
does not install here replaced and recorded, an unbuildable set ending as ``runtime_error``, and
a task pinning Flask 2 with its extensions passing in the real bwrap sandbox where the shared
runtime (Flask 3) fails it. These use the network to PyPI; one environment is built per session
in a fresh cache that the sandbox's unprivileged user can traverse (as root too)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from vulnbench.assess.verdict import decide
from vulnbench.records import Task
from vulnbench.sandbox import envs
from vulnbench.sandbox.backends import BwrapSandbox, create_sandbox, find_bwrap
from vulnbench.sandbox.envs import EnvBuildError, EnvCache, TaskEnv, environment_specs
from vulnbench.sandbox.tests_runner import run_task_tests_batch

needs_bwrap = pytest.mark.skipif(find_bwrap() is None, reason="no bwrap")
FLASK2 = ["Flask==2.3.3", "Flask-SQLAlchemy==3.0.5", "pycryptodome==3.19.0"]
MISSING = "vulnbench-no-such-package-0xdead==1.0"

FLASK2_TEST = '''
import os
import solution
from flask import escape  # gone in Flask 3
from flask_sqlalchemy import SQLAlchemy
from Crypto.Hash import SHA256


def test_app():
    assert os.getuid() != 0
    app = solution.make_app()
    with app.test_client() as client:
        assert client.get("/hi/<b>").get_data(as_text=True) == "hi &lt;b&gt;"
    assert SHA256.new(b"x").hexdigest().startswith("2d711642")
    assert isinstance(escape("<"), str)
'''
FLASK2_CODE = '''
from flask import Flask, escape
from flask_sqlalchemy import SQLAlchemy


def make_app():
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    SQLAlchemy(app)

    @app.route("/hi/<name>")
    def hi(name):
        return "hi " + escape(name)

    return app
'''


def _task(requirements: list[str], **extra: object) -> Task:
    return Task(id="env-task", cwe=["CWE-79"], code_prompt="-", functional_test=FLASK2_TEST,
                requirements=requirements, runtime=["flask"], **extra)  # type: ignore[arg-type]


def _open_dir() -> Path:
    path = Path(tempfile.mkdtemp(prefix="vb-envs-"))
    os.chmod(path, 0o755)  # /tmp itself is open; mkdtemp's folder is not
    return path


@pytest.fixture(scope="session")
def env_root() -> Iterator[Path]:
    """The session's environment cache, used by the sandboxed tests through the default
    cache (VULNBENCH_ENV_CACHE)."""
    root = _open_dir()
    before = os.environ.get("VULNBENCH_ENV_CACHE")
    os.environ["VULNBENCH_ENV_CACHE"] = str(root)
    yield root
    if before is None:
        os.environ.pop("VULNBENCH_ENV_CACHE", None)
    else:
        os.environ["VULNBENCH_ENV_CACHE"] = before
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def flask2(env_root: Path) -> TaskEnv:
    return envs.default_cache().ensure(FLASK2)


@pytest.fixture
def fresh_root() -> Iterator[Path]:
    root = _open_dir()
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def bwrap() -> BwrapSandbox:
    sandbox = create_sandbox("bwrap")
    assert isinstance(sandbox, BwrapSandbox)
    return sandbox


def _no_builds(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("rebuilt a cached environment")

    monkeypatch.setattr(envs._Builder, "install", refuse)


def test_a_cached_environment_is_reused_without_a_build(flask2: TaskEnv, env_root: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    meta = json.loads((flask2.path / envs.META).read_text())
    assert "flask==2.3.3" in meta["installed"] and meta["substitutions"] == {}
    _no_builds(monkeypatch)
    start = time.perf_counter()
    again = EnvCache(env_root).ensure(["pycryptodome==3.19.0", "flask==2.3.3  # web",
                                       "Flask_SQLAlchemy==3.0.5", ""])
    assert time.perf_counter() - start < 1.0
    assert again.path == flask2.path
    assert json.loads((again.path / envs.META).read_text())["built"] == meta["built"]
    assert not [p for p in env_root.iterdir() if p.name.startswith(".tmp-")]
    modes = [p.lstat().st_mode for p in [flask2.path, *flask2.path.rglob("*")]
             if not p.is_symlink()]
    assert all(m & 0o004 and not m & 0o022 for m in modes)  # others read, only we write


def test_concurrent_runs_build_an_environment_once(fresh_root: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    builds: list[int] = []
    install = envs._Builder.install

    def counted(self: envs._Builder, reqs: list[str]) -> tuple[list[str], dict[str, str],
                                                               dict[str, str]]:
        builds.append(1)
        time.sleep(0.5)  # the other run arrives while this one builds
        return install(self, reqs)

    monkeypatch.setattr(envs._Builder, "install", counted)
    found: list[Path] = []
    # two caches = two runs: only the file lock stands between them
    threads = [threading.Thread(target=lambda: found.append(EnvCache(fresh_root).ensure(
        ["six==1.16.0"]).path)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(builds) == 1 and len(found) == 2 and found[0] == found[1]
    assert (found[0] / "bin" / "python").exists()


def test_a_broken_build_leaves_nothing_to_reuse(fresh_root: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(self: envs._Builder, reqs: list[str]) -> None:
        self._fresh_venv()
        (self.path / "half-installed").write_text("x")
        raise EnvBuildError("interrupted")

    monkeypatch.setattr(envs._Builder, "install", crash)
    with pytest.raises(EnvBuildError, match="interrupted"):
        EnvCache(fresh_root).ensure(["six==1.16.0"])
    assert [p.name for p in fresh_root.iterdir() if not p.name.endswith(".lock")] == []


def test_a_pin_that_does_not_install_here_is_replaced_and_recorded(
        env_root: Path) -> None:
    # lxml 4.6.3 has no wheel for Python 3.11 and no longer compiles there
    env = envs.default_cache().ensure(["lxml==4.6.3"])
    installed = env.substitutions.get("lxml==4.6.3", "")
    assert installed.startswith("lxml==4.") and installed != "lxml==4.6.3"
    meta = json.loads((env.path / envs.META).read_text())
    assert meta["substitutions"] == env.substitutions and installed in meta["installed"]
    assert "lxml==4.6.3" in meta["substitution_reasons"]["lxml==4.6.3"]
    spec, = environment_specs([_task(["lxml==4.6.3"])])
    assert spec.substitutions == {"lxml==4.6.3": installed} and spec.tasks == ["env-task"]


@needs_bwrap
def test_an_unbuildable_environment_is_a_runtime_error_with_the_installers_message(
        env_root: Path, bwrap: BwrapSandbox) -> None:
    task = _task(["flask==2.3.3", MISSING])
    runs = run_task_tests_batch(bwrap, task, [FLASK2_CODE, FLASK2_CODE])
    assert [r.status for r in runs] == ["runtime_error"] * 2
    assert "not found in the package registry" in runs[0].detail, runs[0].detail
    verdict = decide("k", task, [], [], runs[0], "target")
    assert verdict.status == "runtime_error"
    assert (verdict.functional, verdict.vulnerable, verdict.secure) == (None, None, None)
    spec, = environment_specs([task])
    assert "not found in the package registry" in spec.error


@needs_bwrap
def test_a_task_pinning_flask_2_passes_in_its_own_environment(flask2: TaskEnv,
                                                              bwrap: BwrapSandbox) -> None:
    own, = run_task_tests_batch(bwrap, _task(FLASK2), [FLASK2_CODE])
    assert own.status == "assessed", own.detail
    assert [(o.name, o.status) for o in own.outcomes] == [("test_app", "passed")], own.outcomes
    shared, = run_task_tests_batch(bwrap, _task([]), [FLASK2_CODE])  # the shared runtime
    assert [o.status for o in shared.outcomes] != ["passed"], shared.outcomes
