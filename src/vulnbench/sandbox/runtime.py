"""The task runtime: the Python environment that generated code and task tests run in,
mounted read-only into the sandbox. The set-up builds ``.venv-runtime`` beside the project's
``.venv`` from the system interpreter, so that an unprivileged sandbox user can read it
(``/root`` is not traversable by others). Override with ``VULNBENCH_RUNTIME=/path/to/python``."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path


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


def _candidates() -> list[Path]:
    env = os.environ.get("VULNBENCH_RUNTIME")
    if env:
        return [Path(env)]
    return [Path(sys.prefix).parent / ".venv-runtime" / "bin" / "python",
            Path(sys.executable)]


@cache
def find_runtime() -> Runtime:
    for python in _candidates():
        if not python.exists():
            continue
        probe = subprocess.run(
            [str(python), "-c", "import json, sys; print(json.dumps([sys.prefix, "
             "sys.base_prefix, sys.executable]))"],
            capture_output=True, text=True, timeout=60, check=False)
        if probe.returncode != 0:
            continue
        prefix, base, exe = json.loads(probe.stdout)
        dirs = {str(Path(prefix).resolve()), str(Path(base).resolve()),
                str(Path(exe).resolve().parent.parent)}
        return Runtime(str(python), tuple(sorted(dirs)))
    return Runtime(sys.executable, (sys.prefix, sys.base_prefix))
