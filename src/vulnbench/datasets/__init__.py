"""Datasets behind a registry: built-in task sets by name, or task files by path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from vulnbench.datasets.loader import Dataset, load_task_file, load_task_files
from vulnbench.errors import DatasetError
from vulnbench.records import Task
from vulnbench.registry import Registry

DatasetLoader = Callable[[], list[Task]]
datasets: Registry[DatasetLoader] = Registry("dataset")

_HERE = Path(__file__).parent


@datasets.register("demo")
def demo() -> list[Task]:
    """A small demo set of Python tasks over several CWEs, shipped with the package."""
    return load_task_files(sorted((_HERE / "demo").glob("*.toml")), source="demo")


@datasets.register("builtin")
def builtin() -> list[Task]:
    """vulnbench's own benchmark: the demo tasks plus the Python and C task folders."""
    files = sorted((_HERE / "demo").glob("*.toml"))
    for sub in ("python", "c"):
        files += sorted((_HERE / "builtin" / sub).glob("*.toml"))
    return load_task_files(files, source="builtin")


def load_dataset(name_or_path: str) -> Dataset:
    """Load a registered dataset by name, a public benchmark as ``SOURCE:PATH`` (see
    ``vulnbench.datasets.public``), or task files from a path (TOML, JSON, JSONL, dir)."""
    if name_or_path in datasets:
        tasks = datasets.get(name_or_path)()
        return Dataset(name=name_or_path, tasks=tasks)
    from vulnbench.datasets.public import PublicDataset, load_public, split_spec

    if split_spec(name_or_path) is not None:
        loaded = load_public(name_or_path)
        return PublicDataset(name=name_or_path, tasks=loaded.tasks, notes=loaded.notes)
    path = Path(name_or_path)
    if not path.exists():
        raise DatasetError(
            f"no dataset named {name_or_path!r} and no such file; "
            f"known datasets: {', '.join(datasets.names())}; public sources (SOURCE:PATH): "
            f"{', '.join(public_sources())}"
        )
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in {".toml", ".json", ".jsonl"})
        if not files:
            raise DatasetError(f"{path}: folder holds no .toml, .json or .jsonl task files")
        return Dataset(name=str(path), tasks=load_task_files(files, source=path.name))
    return Dataset(name=str(path), tasks=load_task_file(path, source=path.stem))


def public_sources() -> list[str]:
    from vulnbench.datasets.public import public_loaders

    return public_loaders.names()


__all__ = ["Dataset", "datasets", "load_dataset", "public_sources"]
