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
    LoopSemaphore,
    ModelBackend,
    chat_as_completion,
    chat_messages,
    mask_secret,
    merge_stops,
)
from vulnbench.models.retry import base_delay_option, with_retries
from vulnbench.records import Completion, GenerationConfig, Prompt, Rendering

try:
    import openai
except ImportError:  # pragma: no cover - exercised when the extra is absent
    openai = None  # type: ignore[assignment]

DEFAULT_BASE_URL = "https://api.openai.com/v1"
MAX_STOP = 4  # the OpenAI API accepts at most four stop sequences
_TRANSIENT_STATUS = {408, 409, 429}


def _is_transient(err: BaseException) -> bool:
    assert openai is not None
    if isinstance(err, openai.APIConnectionError):  # includes APITimeoutError
        return True
    return isinstance(err, openai.APIStatusError) and (
        err.status_code >= 500 or err.status_code in _TRANSIENT_STATUS)


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
        self._key = key or "not-needed"
        self._base_delay = base_delay_option(options.extra)
        self._semaphore = LoopSemaphore(self.max_concurrency)
        self._client_loop: asyncio.AbstractEventLoop | None = None
        self.client = self._new_client()

    def _new_client(self) -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(
            api_key=self._key, base_url=self.options.base_url, timeout=self.options.timeout,
            max_retries=0,  # retries are ours: logged, jittered, bounded
        )

    def _client(self) -> openai.AsyncOpenAI:
        """The client for the running loop: pooled connections cannot cross event loops, so
        a new ``asyncio.run`` gets a new client."""
        loop = asyncio.get_running_loop()
        if self._client_loop is None:
            self._client_loop = loop
        elif loop is not self._client_loop:
            self._client_loop, self.client = loop, self._new_client()
        return self.client

    @property
    def base_url(self) -> str:
        return self.options.base_url or DEFAULT_BASE_URL

    @property
    def chat_template(self) -> bool:
        return self.options.extra.get("chat", "true").strip().lower() != "false"

    def params(self) -> dict[str, str]:
        return {"base_url": self.base_url, "concurrency": str(self.max_concurrency)}

    async def complete(
        self, prompt: Prompt, config: GenerationConfig, sample_index: int
    ) -> Completion:
        rendering = self.rendering(prompt)
        common: dict[str, Any] = {
            "model": self.name, "temperature": config.temperature, "top_p": config.top_p,
            "max_tokens": config.max_tokens, "seed": config.seed + sample_index,
        }

        async def call() -> Completion:
            async with self._semaphore.get():
                if rendering == "chat":
                    return await self._chat(prompt, config, common)
                return await self._completion(prompt, config, common, rendering)

        try:
            return await with_retries(
                call, is_transient=_is_transient, max_retries=self.options.max_retries,
                base_delay=self._base_delay, describe=f"{self.id} request",
            )
        except openai.APITimeoutError:
            raise ModelError(
                f"{self.id}: no answer from {self.base_url} within {self.options.timeout:g}s "
                f"(after {self.options.max_retries} retries)"
            ) from None
        except openai.APIConnectionError as err:
            raise ModelError(
                f"cannot reach {self.base_url} ({type(err).__name__}) after "
                f"{self.options.max_retries} retries; is the server running?"
            ) from None
        except openai.APIStatusError as err:
            raise ModelError(
                f"{self.id}: {self.base_url} answered HTTP {err.status_code}: "
                f"{self._short(err)}"
            ) from None
        except (openai.APIError, IndexError) as err:
            raise ModelError(
                f"{self.id}: unexpected answer from {self.base_url}: {self._short(err)}"
            ) from None

    async def _chat(
        self, prompt: Prompt, config: GenerationConfig, common: dict[str, Any]
    ) -> Completion:
        resp = await self._client().chat.completions.create(
            messages=chat_messages(prompt),  # type: ignore[arg-type]
            stop=config.stop[:MAX_STOP] or None, **common,
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
        text, extra_stop = prompt.text, list[str]()
        if rendering == "chat-as-completion":
            text, extra_stop = chat_as_completion(prompt)
        # The fence that ends a chat-as-completion answer goes first so the 4-stop cap
        # never drops it.
        stop = merge_stops(extra_stop, config.stop, MAX_STOP)
        resp = await self._client().completions.create(prompt=text, stop=stop or None, **common)
        choice, usage = resp.choices[0], resp.usage
        return Completion(
            text=choice.text or "", finish_reason=choice.finish_reason, rendering=rendering,
            prompt_tokens=usage.prompt_tokens if usage else None,
            completion_tokens=usage.completion_tokens if usage else None,
        )

    async def aclose(self) -> None:
        await self.client.close()

    def _short(self, err: BaseException) -> str:
        """A one-line, bounded excerpt of an error, with the API key masked should the
        endpoint echo it."""
        return mask_secret(str(err), self._key, 200)
