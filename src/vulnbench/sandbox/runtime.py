"""The task runtime: the Python environment that generated code and task tests run in,
mounted read-only into the sandbox. Looked up in this order: ``$VULNBENCH_RUNTIME`` (a Python
interpreter; when set, it alone counts), then ``.venv-runtime`` beside the active virtualenv
(scripts/setup.sh builds it there from the system interpreter, so that an unprivileged sandbox
user can read it: ``/root`` is not traversable by others), then the running interpreter itself
(with a warning: task tests that import Flask & co. then fail). Never relative to the source
tree, which an installed wheel does not have."""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from vulnbench.errors import VulnbenchError


@dataclass(frozen=True)
class Runtime:
    python: str
    prefixes: tuple[str, ...]  # directories to mount read-only

    @property
    def world_readable(self) -> bool:
        """Whether a user other than root can reach the interpreter and its prefixes."""
        return all(_world_traversable(Path(p)) for p in (*self.prefixes, self.python))


def _world_traversable(path: Path) -> bool:
    path = path.resolve()
    for part in [*reversed(path.parents), path]:
        try:
            mode = part.stat().st_mode
        except OSError:
            return False
        if stat.S_ISDIR(mode) and not mode & stat.S_IXOTH:
            return False
    return True


RUNTIME_ENV = "VULNBENCH_RUNTIME"
RUNTIME_HINT = ("no task runtime found: generated code and task tests run with {python} and "
                "cannot import the runtime's libraries (Flask, requests, ...); create one with "
                "`python3 -m venv .venv-runtime && .venv-runtime/bin/pip install flask requests "
                "lxml PyYAML Jinja2 SQLAlchemy PyJWT defusedxml` next to your virtualenv "
                f"(scripts/setup.sh does it) or set {RUNTIME_ENV}=/path/to/python")
log = logging.getLogger(__name__)


def _beside_virtualenv() -> Path | None:
    if sys.prefix == sys.base_prefix:
        return None
    return Path(sys.prefix).parent / ".venv-runtime" / "bin" / "python"


def _probe(python: Path) -> Runtime | None:
    """The interpreter's prefixes (to mount), or None when it does not run."""
    try:
        probe = subprocess.run(
            [str(python), "-c", "import json, sys; print(json.dumps([sys.prefix, "
             "sys.base_prefix, sys.executable]))"],
            capture_output=True, text=True, timeout=60, check=False)
    except OSError:
        return None
    if probe.returncode != 0:
        return None
    prefix, base, exe = json.loads(probe.stdout)
    dirs = {str(Path(prefix).resolve()), str(Path(base).resolve()),
            str(Path(exe).resolve().parent.parent)}
    # folders resolved, the file itself not (a venv's bin/python is a link its pyvenv.cfg
    # needs): a runtime reached through a linked folder is still under a mounted prefix
    return Runtime(str(python.parent.resolve() / python.name), tuple(sorted(dirs)))


@cache
def find_runtime() -> Runtime:
    """The task runtime (see the module docstring for the lookup order). A
    ``$VULNBENCH_RUNTIME`` that does not run is an error, never silently replaced."""
    env = os.environ.get(RUNTIME_ENV)
    if env:
        found = _probe(Path(env))
        if found is None:
            raise VulnbenchError(f"{RUNTIME_ENV}={env} is not a Python interpreter that can start; "
                                 "point it at the task runtime's bin/python or unset it")
        return found
    beside = _beside_virtualenv()
    if beside is not None and beside.exists() and (found := _probe(beside)) is not None:
        return found
    log.warning(RUNTIME_HINT.format(python=sys.executable))
    return Runtime(sys.executable, (sys.prefix, sys.base_prefix))
