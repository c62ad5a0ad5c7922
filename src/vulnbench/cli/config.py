"""``vulnbench run --config FILE``: run options from a TOML file, so that a study's settings
live in one reviewable file and the command line stops growing.

The file holds a ``[run]`` table whose keys are the names of ``run``'s options (``top-p`` or
``top_p`` for ``--top-p``); options typed on the command line win over the file, the file
wins over the defaults. Keys and types are checked against ``run``'s own signature, so a new
option is accepted here without a change; values are range-checked by
:meth:`RunOptions.validate` before anything is written. Every problem is one line naming the
file and the key, and exits 2 like a bad command-line option."""

from __future__ import annotations

import dataclasses
import inspect
import tomllib
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from vulnbench.models.base import BackendOptions
from vulnbench.pipeline.options import OptionError, RunOptions

TABLE = "run"
# options that only steer this process (or are the file itself): not run settings
NOT_IN_FILE = frozenset({"config"})
# string options that take a comma-separated list: a TOML list (or a number) is joined
COMMA_LISTS = frozenset({"temperature", "k", "style"})
# CLI name -> RunOptions field where they differ, and how the CLI text becomes the field
_FIELDS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "model": ("models", lambda v: [m.strip() for s in v for m in s.split(",") if m.strip()]),
    "temperature": ("temperatures", lambda v: [float(x) for x in v.split(",") if x.strip()]),
    "k": ("ks", lambda v: [int(x) for x in v.split(",") if x.strip()]),
    "task": ("task_ids", list),
    "analyzer": ("analyzers", list),
    "no_tests": ("run_tests", lambda v: not v),
    "out": ("out", Path),
}
_BACKEND = frozenset(f.name for f in dataclasses.fields(BackendOptions))


def _base(annotation: Any) -> Any:
    """``Annotated[int | None, ...]`` -> ``int``; ``list[str]`` stays as it is."""
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        rest = [a for a in typing.get_args(annotation) if a is not type(None)]
        annotation = rest[0] if len(rest) == 1 else annotation
    return annotation


def option_types(command: Callable[..., Any]) -> dict[str, Any]:
    """The options a command takes (parameter name -> plain type), from its signature."""
    hints = typing.get_type_hints(command, include_extras=True)
    hints.pop("return", None)
    return {name: _base(t) for name, t in hints.items() if name not in NOT_IN_FILE}


def _shown(value: object) -> str:
    """A value as written in TOML (``true``, not Python's ``True``)."""
    return str(value).lower() if isinstance(value, bool) else repr(value)


def _scalar(value: object) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _convert(name: str, kind: Any, value: object) -> tuple[Any, str]:
    """The value as the CLI option would hold it, or ("", what the option takes)."""
    if typing.get_origin(kind) is list:
        items = value if isinstance(value, list) else [value]
        ok = all(isinstance(v, str) for v in items)
        return (items, "") if ok else (None, "a string or a list of strings")
    if kind is bool:
        return (value, "") if isinstance(value, bool) else (None, "true or false")
    if kind is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return (value, "") if ok else (None, "an integer")
    if kind is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return (float(value), "") if ok else (None, "a number")  # type: ignore[arg-type]
    if name in COMMA_LISTS:
        items = value if isinstance(value, list) else [value]
        if items and all(_scalar(v) for v in items):
            return ",".join(str(v) for v in items), ""
        return None, "a value or a list of values"
    return (value, "") if isinstance(value, str) else (None, "a string")


def read_run_config(path: Path, options: dict[str, Any]) -> dict[str, Any]:
    """The ``[run]`` table of ``path`` as option name -> value; OptionError listing every
    unknown key and wrong type (one line each)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise OptionError(f"--config {path}: cannot read ({err.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise OptionError(f"--config {path}: not valid TOML ({err})") from None
    problems = [f"{path}: unknown table or key {key!r} (run options go under [{TABLE}])"
                for key in data if key != TABLE]
    table = data.get(TABLE, {})
    if not isinstance(table, dict):
        raise OptionError(f"{path}: {TABLE} must be a table ([{TABLE}])")
    values: dict[str, Any] = {}
    known = ", ".join(sorted(n.replace("_", "-") for n in options))
    for key, raw in table.items():
        name = key.replace("-", "_")
        if name not in options:
            problems.append(f"{path}: unknown key {key!r} in [{TABLE}]; known: {known}")
            continue
        value, takes = _convert(name, options[name], raw)
        if takes:
            problems.append(f"{path}: [{TABLE}] {key} must be {takes}, got {_shown(raw)}")
        else:
            values[name] = value
    if problems:
        raise OptionError("\nerror: ".join(problems))
    _check_ranges(path, values)
    return values


def _check_ranges(path: Path, values: dict[str, Any]) -> None:
    """The file's values through :meth:`RunOptions.validate` (defaults for the rest), with
    the message naming the file: ``run.toml: [run] n must be an integer >= 1, got 0``."""
    fields = {f.name for f in dataclasses.fields(RunOptions)}
    kwargs: dict[str, Any] = {"out": path.parent}
    backend: dict[str, Any] = {}
    for name, value in values.items():
        field, convert = _FIELDS.get(name, (name, lambda v: v))
        if name in _BACKEND:
            backend[name] = value
        elif field in fields:  # others (CLI-only, or renamed since) are checked by run
            try:
                kwargs[field] = convert(value)
            except ValueError:  # "0.2,hot"
                raise OptionError(f"{path}: [{TABLE}] {name.replace('_', '-')} must be "
                                  f"comma-separated numbers, got {value!r}") from None
    try:
        RunOptions(**kwargs, backend=BackendOptions(**backend))
    except OptionError as err:
        text = str(err)
        raise OptionError(f"{path}: [{TABLE}] {text.removeprefix('--')}") from None


def run_config(ctx: typer.Context, value: Path | None) -> Path | None:
    """Eager ``--config`` callback: the file's values become the defaults of the options not
    typed on the command line (click's ``default_map``), checked against the command's own
    signature before any other option is processed."""
    if value is not None and not ctx.resilient_parsing and ctx.command.callback is not None:
        command = inspect.unwrap(ctx.command.callback)
        ctx.default_map = {**(ctx.default_map or {}),
                           **read_run_config(value, option_types(command))}
    return value
