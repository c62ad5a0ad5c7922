"""Model backends behind a registry. ``--model BACKEND[:NAME]``, e.g. ``local``,
``openai:gpt-4o-mini``, ``litellm:anthropic/claude-3-haiku``, ``hf:gpt2``,
``replay:outputs.jsonl``. Optional dependencies are imported only when a backend is used."""

from __future__ import annotations

from collections.abc import Callable

from vulnbench.models.base import BackendOptions, ModelBackend
from vulnbench.registry import Registry

BackendFactory = Callable[[str, BackendOptions], ModelBackend]
backends: Registry[BackendFactory] = Registry("model backend")

backends.register_lazy("local", "vulnbench.models.local:LocalBackend")
backends.register_lazy("openai", "vulnbench.models.openai_backend:OpenAIBackend")
backends.register_lazy("litellm", "vulnbench.models.litellm_backend:LiteLLMBackend")
backends.register_lazy("hf", "vulnbench.models.hf:HFBackend")
backends.register_lazy("replay", "vulnbench.models.replay:ReplayBackend")
backends.register_lazy("mock", "vulnbench.models.mock:MockBackend")


def parse_model(spec: str) -> tuple[str, str]:
    """``"openai:gpt-4o"`` -> ``("openai", "gpt-4o")``; ``"local"`` -> ``("local", "")``."""
    backend, _, name = spec.strip().partition(":")
    return backend, name


def create_model(spec: str, options: BackendOptions) -> ModelBackend:
    backend, name = parse_model(spec)
    return backends.get(backend)(name, options)


__all__ = ["BackendOptions", "ModelBackend", "backends", "create_model", "parse_model"]
