"""Other providers through LiteLLM (``litellm:anthropic/claude-3-haiku``, ``litellm:ollama/..``,
``litellm:openai/NAME`` with ``--base-url``). Same retry policy as the openai backend."""

from __future__ import annotations

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
from vulnbench.records import Completion, GenerationConfig, Prompt

_TRANSIENT_NAMES = ("RateLimitError", "Timeout", "APIConnectionError", "InternalServerError",
                    "ServiceUnavailableError")


def _litellm() -> Any:
    # LiteLLM fetches a price list from the internet on import unless told to use its own copy.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    try:
        import litellm
    except ImportError:
        raise MissingDependencyError("the litellm backend", "litellm", "litellm") from None
    litellm.suppress_debug_info = True  # no "Give Feedback / Get Help" banners on errors
    # httpx rather than aiohttp sessions: those are cached per event loop, never closed, and
    # print "Unclosed client session" warnings at exit.
    litellm.disable_aiohttp_transport = True
    return litellm


def _error_types(litellm: Any) -> tuple[type[BaseException], ...]:
    """LiteLLM's errors derive from the openai SDK's (``BadRequestError`` is no
    ``litellm.APIError``), so the common base is the openai one."""
    found: list[type[BaseException]] = []
    try:
        import openai

        found.append(openai.OpenAIError)
    except ImportError:  # pragma: no cover - litellm depends on openai
        pass
    for name in ("APIError", "OpenAIError"):
        cls = getattr(litellm, name, None)
        if isinstance(cls, type) and issubclass(cls, BaseException):
            found.append(cls)
    return tuple(found)


class LiteLLMBackend(ModelBackend):
    backend = "litellm"

    def __init__(self, name: str, options: BackendOptions) -> None:
        if not name:
            raise ModelError("the litellm backend needs a model: --model litellm:PROVIDER/NAME")
        super().__init__(name, options)
        self.litellm = _litellm()
        self._semaphore = LoopSemaphore(self.max_concurrency)
        self._base_delay = base_delay_option(options.extra)
        transient = [getattr(self.litellm, n, None) for n in _TRANSIENT_NAMES]
        self._transient: tuple[type[BaseException], ...] = tuple(
            t for t in transient if isinstance(t, type) and issubclass(t, BaseException))
        self._errors = _error_types(self.litellm)
        # With --base-url the key comes from api_key_env (a local server needs none); without
        # it LiteLLM reads each provider's own variable.
        self._key: str | None = None
        if options.base_url:
            self._key = os.environ.get(options.api_key_env) or "not-needed"

    @property
    def chat_template(self) -> bool:
        return self.options.extra.get("chat", "true").strip().lower() != "false"

    def params(self) -> dict[str, str]:
        return {"base_url": self.options.base_url or "(provider default)"}

    def _is_transient(self, err: BaseException) -> bool:
        if isinstance(err, self._transient):
            return True
        status = getattr(err, "status_code", None)
        return isinstance(status, int) and (status >= 500 or status in (408, 409, 429))

    async def complete(
        self, prompt: Prompt, config: GenerationConfig, sample_index: int
    ) -> Completion:
        rendering = self.rendering(prompt)
        common: dict[str, Any] = {
            "model": self.name, "temperature": config.temperature, "top_p": config.top_p,
            "max_tokens": config.max_tokens, "seed": config.seed + sample_index,
            "timeout": self.options.timeout,
            "drop_params": True,  # providers without e.g. ``seed`` ignore it instead of failing
            "max_retries": 0, "num_retries": 0,  # retries are ours
        }
        if self.options.base_url:
            common["api_base"] = self.options.base_url
            common["api_key"] = self._key

        async def call() -> Completion:
            async with self._semaphore.get():
                if rendering == "chat":
                    resp = await self.litellm.acompletion(
                        messages=chat_messages(prompt), stop=config.stop or None, **common)
                    choice = resp.choices[0]
                    text = choice.message.content or ""
                else:
                    text_prompt, extra = prompt.text, list[str]()
                    if rendering == "chat-as-completion":
                        text_prompt, extra = chat_as_completion(prompt)
                    stop = merge_stops(extra, config.stop)
                    resp = await self.litellm.atext_completion(
                        prompt=text_prompt, stop=stop or None, **common)
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
                call, is_transient=self._is_transient, max_retries=self.options.max_retries,
                base_delay=self._base_delay, describe=f"{self.id} request")
        except self._errors as err:
            if self._is_transient(err):
                raise ModelError(
                    f"{self.id}: gave up after {self.options.max_retries} retries: "
                    f"{type(err).__name__} ({self.params()['base_url']})") from None
            raise ModelError(f"{self.id}: provider error: {self._short(err)}") from None

    def _short(self, err: BaseException) -> str:
        return mask_secret(str(err), self._key, 300)

    async def aclose(self) -> None:
        """Close LiteLLM's cached async HTTP clients."""
        closer = getattr(self.litellm, "close_litellm_async_clients", None)
        if closer is not None:
            await closer()
