"""Task requirements as they come from the wild, normalized so that one set always means one
environment; and the pieces of envs.py that need no network (cache key, cache place, reading
the installer's messages)."""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from vulnbench.records import Task
from vulnbench.sandbox import envs
from vulnbench.sandbox.envs import (
    EnvBuildError,
    Interpreter,
    blamed,
    env_cache_dir,
    env_key,
    task_runtime,
    trim_message,
)
from vulnbench.sandbox.requirements import (
    RequirementError,
    normalize_requirements,
    parse,
    pinned,
)

PY311 = Interpreter("/usr/bin/python3.11", "/usr", "3.11.2", "cpython", "linux-x86_64")


def test_messy_requirements_are_normalized() -> None:
    messy = [
        "# web stack",
        "",
        "Flask == 2.3.3   # pinned by the benchmark",
        "flask_sqlalchemy==3.0.5 \\",
        "    --hash=sha256:abc123",
        "requests[socks]>=2.0\nRequests[security]<3",
        "--prefer-binary",
        "pycryptodome==3.19.0",
        "Flask==2.3.3",
        "pyjwt ; python_version >= '3.8'",
    ]
    assert normalize_requirements(messy) == [
        "flask-sqlalchemy==3.0.5",
        "flask==2.3.3",
        "pycryptodome==3.19.0",
        'pyjwt ; python_version >= "3.8"',
        "requests[security,socks]<3,>=2.0",
    ]


def test_order_duplicates_and_comments_do_not_change_the_environment() -> None:
    a = normalize_requirements(["Flask==2.3.3", "pycryptodome==3.19.0"])
    b = normalize_requirements(["pycryptodome==3.19.0  # crypto", "flask==2.3.3", "FLASK==2.3.3"])
    assert a == b
    assert env_key(a, PY311) == env_key(b, PY311)
    assert env_key(a, PY311) != env_key(a, dataclasses.replace(PY311, version="3.12.1"))
    assert env_key(a, PY311) != env_key(normalize_requirements(["Flask==2.3.2"]), PY311)


@pytest.mark.parametrize(("line", "says"), [
    ("-r requirements-base.txt", "refers to another file"),
    ("--constraint=c.txt", "refers to another file"),
    ("-e .", "editable"),
    ("--index-url https://example.invalid/simple", "--index-url is not supported"),
    ("./vendor/pkg", "not a requirement specifier"),
    ("flask===", "not a requirement specifier"),
])
def test_what_cannot_be_taken_is_refused_with_the_line(line: str, says: str) -> None:
    with pytest.raises(RequirementError, match=says) as err:
        normalize_requirements(["flask==2.3.3", line])
    assert line.split()[0] in str(err.value)


def test_the_same_distribution_from_two_sources_is_refused() -> None:
    with pytest.raises(RequirementError, match="two sources"):
        normalize_requirements(["pkg @ https://example.invalid/a.whl",
                                "pkg @ https://example.invalid/b.whl"])


def test_only_exact_pins_may_be_substituted() -> None:
    assert pinned(parse("lxml==4.6.3"))
    assert parse("lxml==4.6.3").release(2) == (4, 6)
    assert parse("lxml==4.6.3").with_version("4.9.1").__str__() == "lxml==4.9.1"
    for spec in ("lxml>=4.6", "lxml==4.*", "lxml", "lxml==4.6.3,<5",
                 "lxml @ https://example.invalid/lxml.whl"):
        assert not pinned(parse(spec)), spec


def test_the_installer_is_read_for_the_pin_to_blame() -> None:
    build = "error: Failed to build `lxml==4.6.3`\n  cause: The build backend returned an error"
    missing = ("  cause: Because there is no version of flask-sqlalchemy==9.9 and you require "
               "flask-sqlalchemy==9.9, we can conclude ...")
    chain = ("error: Failed to build `numpy==1.19.5`\nhelp: `numpy` (v1.19.5) was included "
             "because `pandas` (v1.1.5) depends on `numpy`")
    unknown = ("  cause: Because nope-pkg was not found in the package registry and you "
               "require nope-pkg==1.0, we can conclude that your requirements are unsatisfiable.")
    assert blamed(build) == ["lxml"]
    assert blamed(missing) == ["flask-sqlalchemy"]
    assert blamed(chain) == ["numpy", "pandas"]
    assert blamed(unknown) == []


def test_build_logs_are_trimmed_to_their_last_lines() -> None:
    log = "\n".join(f"         line {i} of the compiler" for i in range(500))
    text = ("Using Python 3.11.2 environment at: x\nResolved 1 package in 3ms\n"
            "error: Failed to build `lxml==4.6.3`\n  cause: The build backend returned an error\n"
            f"\n         [stderr]\n{log}\n         fatal error: longintrepr.h\n\n"
            "hint: This error likely indicates that you need `longintrepr.h`")
    trimmed = trim_message(text)
    assert trimmed.splitlines()[0] == "error: Failed to build `lxml==4.6.3`"
    assert "fatal error: longintrepr.h" in trimmed and "line 3 of" not in trimmed
    assert trimmed.endswith("you need `longintrepr.h`") and len(trimmed) < 600


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A temporary folder others can traverse (pytest's own are private to their user)."""
    path = Path(tempfile.mkdtemp(prefix="vb-test-"))
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_cache_dir_as_root_is_one_the_sandbox_user_can_traverse(
        open_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tmp_path = open_dir
    home = tmp_path / "root-home"
    home.mkdir(mode=0o700)
    monkeypatch.delenv("VULNBENCH_ENV_CACHE", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(envs.os, "geteuid", lambda: 0)
    assert env_cache_dir() == envs.ROOT_CACHE
    os.chmod(home, 0o755)
    assert env_cache_dir() == home / ".cache" / "vulnbench" / "envs"
    os.chmod(home, 0o700)
    monkeypatch.setattr(envs.os, "geteuid", lambda: 1000)  # not root: its own cache
    assert env_cache_dir() == home / ".cache" / "vulnbench" / "envs"
    monkeypatch.setenv("VULNBENCH_ENV_CACHE", str(tmp_path / "elsewhere"))
    assert env_cache_dir() == tmp_path / "elsewhere"


def test_a_backend_with_its_own_image_refuses_task_environments() -> None:
    class ImageSandbox:
        name = "docker"
        supports_environments = False

    task = Task(id="t", cwe=["CWE-79"], code_prompt="-", requirements=["flask==2.3.3"])
    with pytest.raises(EnvBuildError, match="cannot run tasks with requirements"):
        task_runtime(task, ImageSandbox())  # type: ignore[arg-type]
    assert task_runtime(task.model_copy(update={"requirements": []})) is None
