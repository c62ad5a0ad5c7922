"""Other providers through LiteLLM (``litellm:anthropic/claude-3-haiku``, ``litellm:ollama/..``,
``litellm:openai/NAME`` with ``--base-url``). Same retry policy as the openai backend."""

from __future__ import annotations

import asyncio
from typing import Any

from vulnbench.errors import MissingDependencyError, ModelError
from vulnbench.models.base import (
    BackendOptions,
    ModelBackend,
    chat_as_completion,
    chat_messages,
)
from vulnbench.models.retry import with_retries
from vulnbench.records import Completion, GenerationConfig, Prompt


def _litellm() -> Any:
    try:
        import litellm
    except ImportError:
        raise MissingDependencyError("the litellm backend", "litellm", "litellm") from None
    return litellm


class LiteLLMBackend(ModelBackend):
    backend = "litellm"

    def __init__(self, name: str, options: BackendOptions) -> None:
        if not name:
            raise ModelError("the litellm backend needs a model: --model litellm:PROVIDER/NAME")
        super().__init__(name, options)
        self.litellm = _litellm()
        self._semaphore = asyncio.Semaphore(self.max_concurrency)
        transient = [getattr(self.litellm, n, None) for n in (
            "RateLimitError", "Timeout", "APIConnectionError", "InternalServerError",
            "ServiceUnavailableError")]
        self._transient = tuple(t for t in transient if isinstance(t, type))

    @property
    def chat_template(self) -> bool:
        return self.options.extra.get("chat", "true").lower() != "false"

    def params(self) -> dict[str, str]:
        return {"base_url": self.options.base_url or "(provider default)"}

    async def complete(
        self, prompt: Prompt, config: GenerationConfig, sample_index: int
    ) -> Completion:
        rendering = self.rendering(prompt)
        common: dict[str, Any] = {
            "model": self.name, "temperature": config.temperature, "top_p": config.top_p,
            "max_tokens": config.max_tokens, "seed": config.seed + sample_index,
            "timeout": self.options.timeout,
        }
        if self.options.base_url:
            common["api_base"] = self.options.base_url

        async def call() -> Completion:
            async with self._semaphore:
                if rendering == "chat":
                    resp = await self.litellm.acompletion(
                        messages=chat_messages(prompt), stop=config.stop or None, **common)
                    choice = resp.choices[0]
                    text = choice.message.content or ""
                else:
                    text_prompt, extra = prompt.text, []
                    if rendering == "chat-as-completion":
                        text_prompt, extra = chat_as_completion(prompt)
                    resp = await self.litellm.atext_completion(
                        prompt=text_prompt, stop=(config.stop + extra) or None, **common)
                    choice = resp.choices[0]
                    text = choice.text or ""
            usage = getattr(resp, "usage", None)
            return Completion(
                text=text, finish_reason=choice.finish_reason, rendering=rendering,
                prompt_tokens=getattr(usage, "prompt_tokens", None),
                completion_tokens=getattr(usage, "completion_tokens", None),
            )

        try:
            return await with_retries(
                call, is_transient=lambda e: isinstance(e, self._transient),
                max_retries=self.options.max_retries, describe=f"{self.id} request")
        except self._transient as err:
            raise ModelError(f"{self.id}: gave up after retries: {type(err).__name__}") from None
        except self.litellm.APIError as err:
            raise ModelError(f"{self.id}: provider error: {' '.join(str(err).split())[:200]}") \
                from None
