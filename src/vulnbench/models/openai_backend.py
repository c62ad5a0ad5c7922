"""Any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp server, TGI) through the
official SDK: async, a concurrency limit, retries with backoff on 429/5xx/timeouts. The API key
comes from the environment and is never logged or stored."""

from __future__ import annotations

import asyncio
import os
from typing import Any

from vulnbench.errors import MissingDependencyError, ModelError
from vulnbench.models.base import (
    BackendOptions,
    ModelBackend,
    chat_as_completion,
    chat_messages,
)
from vulnbench.models.retry import with_retries
from vulnbench.records import Completion, GenerationConfig, Prompt, Rendering

try:
    import openai
except ImportError:  # pragma: no cover - exercised when the extra is absent
    openai = None  # type: ignore[assignment]


def _is_transient(err: BaseException) -> bool:
    assert openai is not None
    if isinstance(err, openai.APITimeoutError | openai.APIConnectionError | openai.RateLimitError):
        return True
    return isinstance(err, openai.APIStatusError) and err.status_code >= 500


class OpenAIBackend(ModelBackend):
    backend = "openai"

    def __init__(self, name: str, options: BackendOptions) -> None:
        if openai is None:
            raise MissingDependencyError("the openai backend", "openai", "openai")
        super().__init__(name or "default", options)
        key = os.environ.get(options.api_key_env)
        if not key and options.base_url is None:
            raise ModelError(
                f"set {options.api_key_env} for the OpenAI API, or pass --base-url for a local "
                "OpenAI-compatible server"
            )
        self.client = openai.AsyncOpenAI(
            api_key=key or "not-needed", base_url=options.base_url, timeout=options.timeout,
            max_retries=0,  # retries are ours: logged, jittered, bounded
        )
        self._semaphore = asyncio.Semaphore(self.max_concurrency)

    @property
    def chat_template(self) -> bool:
        return self.options.extra.get("chat", "true").lower() != "false"

    def params(self) -> dict[str, str]:
        return {"base_url": self.options.base_url or "https://api.openai.com/v1",
                "concurrency": str(self.max_concurrency)}

    async def complete(
        self, prompt: Prompt, config: GenerationConfig, sample_index: int
    ) -> Completion:
        rendering = self.rendering(prompt)
        common: dict[str, Any] = {
            "model": self.name, "temperature": config.temperature, "top_p": config.top_p,
            "max_tokens": config.max_tokens, "seed": config.seed + sample_index,
        }
        if config.stop:
            common["stop"] = config.stop[:4]

        async def call() -> Completion:
            async with self._semaphore:
                if rendering == "chat":
                    return await self._chat(prompt, common)
                return await self._completion(prompt, config, common, rendering)

        try:
            return await with_retries(
                call, is_transient=_is_transient, max_retries=self.options.max_retries,
                describe=f"{self.id} request",
            )
        except openai.APIConnectionError as err:
            raise ModelError(
                f"cannot reach {self.params()['base_url']} ({type(err).__name__}) after "
                f"{self.options.max_retries} retries; is the server running?"
            ) from None
        except openai.APIStatusError as err:
            raise ModelError(
                f"{self.id}: the endpoint answered HTTP {err.status_code}: {_short(err)}"
            ) from None

    async def _chat(self, prompt: Prompt, common: dict[str, Any]) -> Completion:
        resp = await self.client.chat.completions.create(
            messages=chat_messages(prompt),  # type: ignore[arg-type]
            **common,
        )
        choice, usage = resp.choices[0], resp.usage
        return Completion(
            text=choice.message.content or "", finish_reason=choice.finish_reason,
            rendering="chat", prompt_tokens=usage.prompt_tokens if usage else None,
            completion_tokens=usage.completion_tokens if usage else None,
        )

    async def _completion(
        self, prompt: Prompt, config: GenerationConfig, common: dict[str, Any],
        rendering: Rendering,
    ) -> Completion:
        text, extra_stop = prompt.text, []
        if rendering == "chat-as-completion":
            text, extra_stop = chat_as_completion(prompt)
        stop = (config.stop + extra_stop)[:4] or None
        resp = await self.client.completions.create(prompt=text, **{**common, "stop": stop})
        choice, usage = resp.choices[0], resp.usage
        return Completion(
            text=choice.text, finish_reason=choice.finish_reason, rendering=rendering,
            prompt_tokens=usage.prompt_tokens if usage else None,
            completion_tokens=usage.completion_tokens if usage else None,
        )

    async def aclose(self) -> None:
        await self.client.close()


def _short(err: Exception) -> str:
    text = " ".join(str(err).split())
    return text[:200]
