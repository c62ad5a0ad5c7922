"""A small plugin registry, modelled on inspect_ai's: decorators for built-in plugins,
lazy "module:attribute" entries so optional dependencies are imported only when used."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Generic, TypeVar

from vulnbench.errors import UnknownNameError

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps names to plugin factories of one kind (model backend, analyzer, ...)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}
        self._lazy: dict[str, str] = {}

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator registering a factory under ``name``."""

        def deco(obj: T) -> T:
            self._entries[name] = obj
            return obj

        return deco

    def register_lazy(self, name: str, target: str) -> None:
        """Register ``"package.module:attr"``, imported on first use."""
        self._lazy[name] = target

    def names(self) -> list[str]:
        return sorted(set(self._entries) | set(self._lazy))

    def __contains__(self, name: object) -> bool:
        return name in self._entries or name in self._lazy

    def get(self, name: str) -> T:
        """Return the factory for ``name``; unknown names list the valid choices."""
        if name in self._entries:
            return self._entries[name]
        target = self._lazy.get(name)
        if target is None:
            raise UnknownNameError(self.kind, name, self.names())
        module_name, _, attr = target.partition(":")
        module = importlib.import_module(module_name)
        if name not in self._entries:
            self._entries[name] = getattr(module, attr)
        return self._entries[name]
