"""User-facing errors: each one renders as a single actionable line in the CLI."""

from __future__ import annotations


class VulnbenchError(Exception):
    """An error the user can act on; the CLI prints it without a traceback."""

    exit_code = 2


class UnknownNameError(VulnbenchError):
    """A name (model, style, dataset, ...) that is not in its registry."""

    def __init__(self, kind: str, name: str, choices: list[str]) -> None:
        super().__init__(f"unknown {kind} {name!r}; choose one of: {', '.join(sorted(choices))}")


class MissingDependencyError(VulnbenchError):
    """An optional dependency is not installed; says which extra brings it."""

    def __init__(self, what: str, package: str, extra: str) -> None:
        super().__init__(
            f"{what} needs the Python package {package!r}: pip install 'vulnbench[{extra}]'"
        )


class DatasetError(VulnbenchError):
    """A dataset file that cannot be read or does not match the task schema."""


class ModelError(VulnbenchError):
    """A model backend failed in a way retrying will not fix."""


class ToolMissingError(VulnbenchError):
    """An external program (analyzer, compiler) is not on PATH."""


class RunStoreError(VulnbenchError):
    """The run directory holds a store that cannot be used for this run."""
