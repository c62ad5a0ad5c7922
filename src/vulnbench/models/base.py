"""The model-backend interface. A backend turns one prompt into one completion; the runner
asks once per sample index so every sample is independently resumable and seeded."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field

from vulnbench.records import Completion, GenerationConfig, ModelSpec, Prompt, Rendering


@dataclass
class BackendOptions:
    """Settings from the command line that backends may use; unknown ones are ignored."""

    base_url: str | None = None
    api_key_env: str = "OPENAI_API_KEY"
    concurrency: int = 4
    timeout: float = 120.0
    max_retries: int = 5
    n_ctx: int = 4096
    n_threads: int | None = None
    extra: dict[str, str] = field(default_factory=dict)


class ModelBackend(ABC):
    """One model reachable through one backend."""

    backend: str = ""

    def __init__(self, name: str, options: BackendOptions) -> None:
        self.name = name
        self.options = options

    @property
    def id(self) -> str:
        return f"{self.backend}:{self.name}" if self.name else self.backend

    @property
    def chat_template(self) -> bool:
        """Whether chat prompts can be sent as chat; if not they are rendered as completions."""
        return True

    @property
    def max_concurrency(self) -> int:
        return max(1, self.options.concurrency)

    def spec(self) -> ModelSpec:
        return ModelSpec(
            id=self.id, backend=self.backend, name=self.name, params=self.params(),
            chat_template=self.chat_template,
            text_rendering="chat" if self.chat_template else "chat-as-completion",
        )

    def params(self) -> dict[str, str]:
        """Backend parameters worth recording in the run spec (never secrets)."""
        return {}

    def rendering(self, prompt: Prompt) -> Rendering:
        if prompt.kind == "completion":
            return "completion"
        return "chat" if self.chat_template else "chat-as-completion"

    @abstractmethod
    async def complete(
        self, prompt: Prompt, config: GenerationConfig, sample_index: int
    ) -> Completion:
        """Return one completion for ``prompt``; sample ``i`` uses seed ``config.seed + i``."""

    async def complete_batch(self, requests: Sequence[tuple[Prompt, GenerationConfig, int]]
                             ) -> list[Completion]:
        """Completions for many ``(prompt, config, sample index)`` requests, in order. The
        default fans out to :meth:`complete`, ``max_concurrency`` at a time, in the caller's
        event loop; a backend that batches natively (a local engine) overrides it."""
        limit = asyncio.Semaphore(self.max_concurrency)

        async def one(prompt: Prompt, config: GenerationConfig, index: int) -> Completion:
            async with limit:
                return await self.complete(prompt, config, index)

        return list(await asyncio.gather(*(one(*r) for r in requests)))

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release connections or weights."""


class LoopSemaphore:
    """A concurrency limit usable from successive event loops (one per ``asyncio.run``): an
    ``asyncio.Semaphore`` binds to the loop that first waits on it, so a fresh one is made for
    each new running loop."""

    def __init__(self, value: int) -> None:
        self.value = max(1, value)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._semaphore = asyncio.Semaphore(self.value)

    def get(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop, self._semaphore = loop, asyncio.Semaphore(self.value)
        return self._semaphore


def chat_as_completion(prompt: Prompt, language: str = "python") -> tuple[str, list[str]]:
    """Render a chat prompt for a model without a chat template: an instruction block followed
    by an opened code fence, which a base model continues with code. Returns the text and the
    extra stop sequence that closes the fence."""
    parts: list[str] = []
    if prompt.system:
        parts.append(prompt.system.strip())
    parts.append("### Instruction\n" + prompt.text.strip())
    parts.append(f"### Response\n```{language}\n")
    return "\n\n".join(parts), ["```"]


def merge_stops(first: Sequence[str], stops: Sequence[str], most: int | None = None
                ) -> list[str]:
    """``first`` (the fence that ends a chat-as-completion answer), then the configured stop
    sequences not already there, capped at ``most`` (an API's limit) with ``first`` kept."""
    merged = list(first) + [s for s in stops if s not in first]
    return merged if most is None else merged[:most]


def mask_secret(text: str, secret: str | None, most: int) -> str:
    """An error message as one bounded line, with ``secret`` (an API key the endpoint may
    echo) masked; the placeholder key of a local server is not a secret."""
    line = " ".join(text.split())
    if secret and secret != "not-needed":
        line = line.replace(secret, "***")
    return line[:most]


def chat_messages(prompt: Prompt) -> list[dict[str, str]]:
    messages: list[dict[str, str]] = []
    if prompt.system:
        messages.append({"role": "system", "content": prompt.system})
    messages.append({"role": "user", "content": prompt.text})
    return messages
