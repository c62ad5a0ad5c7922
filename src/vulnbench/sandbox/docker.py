"""Optional Docker backend: used only when a Docker daemon answers. Same contract as bwrap:
no network, read-only root, the work dir as the only writable mount, tmpfs /tmp, an
unprivileged user, limits on memory, processes and CPU time."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from vulnbench.errors import ToolMissingError
from vulnbench.sandbox.base import Limits, Sandbox
from vulnbench.sandbox.runtime import Runtime

DEFAULT_IMAGE = "python:3.11-slim"


class DockerSandbox(Sandbox):
    name = "docker"
    isolated = True
    private_pids = True
    supports_environments = False  # the image brings its own interpreter

    def __init__(self) -> None:
        docker = shutil.which("docker")
        if docker is None:
            raise ToolMissingError("the docker sandbox needs the docker CLI and a running daemon")
        probe = subprocess.run([docker, "info", "--format", "{{.ServerVersion}}"],
                               capture_output=True, text=True, timeout=20, check=False)
        if probe.returncode != 0 or not probe.stdout.strip():
            raise ToolMissingError(
                "no Docker daemon answers (docker info failed); use --sandbox bwrap")
        self.docker = docker
        self.image = os.environ.get("VULNBENCH_DOCKER_IMAGE", DEFAULT_IMAGE)

    def protections(self) -> list[str]:
        return ["no network", "read-only root", "private work dir (a host folder: no disk cap)",
                "tmpfs /tmp (size and file caps)", "/dev/shm size cap", "unprivileged user",
                "memory/pids/cpu limits", "no capabilities"]

    def python(self, runtime: Runtime | None = None) -> str:
        return "python3"

    def wrap(self, argv: Sequence[str], workdir: Path, limits: Limits,
             runtime: Runtime | None = None) -> list[str]:
        memory = f"{limits.memory_mb}m" if limits.memory_mb else "0"
        # tmpfs pages are host RAM: capped in bytes and files (docker, unlike bwrap, can pass
        # nr_inodes); the work dir stays a host folder, read back by the host
        tmp = ",".join(([f"size={limits.tmp_mb}m"] if limits.tmp_mb else [])
                       + ([f"nr_inodes={limits.disk_files}"] if limits.disk_files else []))
        shm = ["--shm-size", f"{limits.shm_mb}m"] if limits.shm_mb else []
        return [self.docker, "run", "--rm", "-i", "--network", "none", "--read-only",
                "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
                "--user", "65534:65534", "--tmpfs", f"/tmp:{tmp}" if tmp else "/tmp", *shm,
                "--memory", memory,
                "--pids-limit", str(limits.processes), "--ulimit",
                f"cpu={limits.cpu_seconds}", "-v", f"{workdir}:/box", "-w", "/box",
                self.image, *argv]
