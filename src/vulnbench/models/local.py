"""The embedded default model, run in-process by llama-cpp-python: Gemma 3 270M by default,
or any GGUF file given as ``local:PATH``."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vulnbench.errors import MissingDependencyError, ModelError
from vulnbench.models.base import BackendOptions, ModelBackend, chat_as_completion, chat_messages
from vulnbench.models.weights import embedded_model_path
from vulnbench.records import Completion, GenerationConfig, Prompt


def load_llama(path: Path, n_ctx: int, n_threads: int | None) -> Any:
    try:
        from llama_cpp import Llama
    except ImportError:
        raise MissingDependencyError("the local backend", "llama-cpp-python", "local") from None
    threads = n_threads or _usable_cpus()
    with _quiet_stderr():
        return Llama(model_path=str(path), n_ctx=n_ctx, n_threads=threads, verbose=False,
                     seed=0)


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """llama.cpp prints notices on fd 2 from C even with verbose=False; hide them while
    loading (errors still surface as Python exceptions)."""
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class LocalBackend(ModelBackend):
    backend = "local"

    def __init__(self, name: str, options: BackendOptions) -> None:
        super().__init__(name, options)
        self.path = Path(name) if name else embedded_model_path()
        if not self.path.is_file():
            raise ModelError(f"no GGUF model file at {self.path}")
        self.llm = load_llama(self.path, options.n_ctx, options.n_threads)
        self._lock = threading.Lock()  # one llama context: calls are serialized
        template = self.llm.metadata.get("tokenizer.chat_template")
        chat = options.extra.get("chat", "").strip().lower()
        self._chat_template = bool(template) and chat != "false"

    @property
    def id(self) -> str:
        return f"local:{self.path.name}" if self.name else "local"

    @property
    def chat_template(self) -> bool:
        return self._chat_template

    @property
    def max_concurrency(self) -> int:
        return 1

    def params(self) -> dict[str, str]:
        return {"model_file": self.path.name, "n_ctx": str(self.options.n_ctx),
                "engine": "llama-cpp-python"}

    def _generate(self, prompt: Prompt, config: GenerationConfig, seed: int) -> Completion:
        rendering = self.rendering(prompt)
        kwargs: dict[str, Any] = {"max_tokens": config.max_tokens, "temperature":
                                  config.temperature, "top_p": config.top_p, "seed": seed}
        with self._lock:
            if rendering == "chat":
                resp = self.llm.create_chat_completion(
                    messages=chat_messages(prompt), stop=config.stop or None, **kwargs)
                choice = resp["choices"][0]
                text = choice["message"]["content"] or ""
            else:
                text_prompt, extra_stop = prompt.text, list[str]()
                if rendering == "chat-as-completion":
                    text_prompt, extra_stop = chat_as_completion(prompt)
                stop = extra_stop + [s for s in config.stop if s not in extra_stop]
                resp = self.llm.create_completion(prompt=text_prompt, stop=stop or None, **kwargs)
                choice = resp["choices"][0]
                text = choice["text"]
        usage = resp.get("usage") or {}
        return Completion(
            text=text, finish_reason=choice.get("finish_reason"), rendering=rendering,
            prompt_tokens=usage.get("prompt_tokens"),
            completion_tokens=usage.get("completion_tokens"),
        )

    async def complete(
        self, prompt: Prompt, config: GenerationConfig, sample_index: int
    ) -> Completion:
        try:
            return await asyncio.to_thread(
                self._generate, prompt, config, config.seed + sample_index)
        except ValueError as err:  # llama-cpp-python's "Requested tokens exceed context window"
            raise ModelError(f"{self.id}: {err} (n_ctx={self.options.n_ctx})") from None
