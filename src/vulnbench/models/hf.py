"""Local Hugging Face weights through ``transformers`` (``hf:PATH_OR_NAME``). Weights must be on
disk or in the local HF cache; nothing is downloaded at run time on offline machines."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from vulnbench.errors import MissingDependencyError, ModelError
from vulnbench.models.base import BackendOptions, ModelBackend, chat_as_completion, chat_messages
from vulnbench.records import Completion, GenerationConfig, Prompt


class HFBackend(ModelBackend):
    backend = "hf"

    def __init__(self, name: str, options: BackendOptions) -> None:
        if not name:
            raise ModelError("the hf backend needs a model path or name: --model hf:PATH")
        super().__init__(name, options)
        try:
            import torch
            import transformers
        except ImportError:
            raise MissingDependencyError("the hf backend", "transformers", "hf") from None
        self.torch = torch
        try:
            self.tokenizer = transformers.AutoTokenizer.from_pretrained(name)
            self.model = transformers.AutoModelForCausalLM.from_pretrained(name)
        except (OSError, ValueError) as err:  # not found / not a causal-LM checkpoint
            raise ModelError(f"cannot load HF model {name!r}: {err}") from None
        self.model.eval()
        self._lock = threading.Lock()

    @property
    def chat_template(self) -> bool:
        return bool(getattr(self.tokenizer, "chat_template", None))

    @property
    def max_concurrency(self) -> int:
        return 1

    def _generate(self, prompt: Prompt, config: GenerationConfig, seed: int) -> Completion:
        rendering = self.rendering(prompt)
        stop = list(config.stop)
        if rendering == "chat":
            text = self.tokenizer.apply_chat_template(
                chat_messages(prompt), tokenize=False, add_generation_prompt=True)
        elif rendering == "chat-as-completion":
            text, extra = chat_as_completion(prompt)
            stop += extra
        else:
            text = prompt.text
        inputs = self.tokenizer(text, return_tensors="pt")
        sample = config.temperature > 0
        kwargs: dict[str, Any] = {"max_new_tokens": config.max_tokens, "do_sample": sample}
        if sample:
            kwargs.update(temperature=config.temperature, top_p=config.top_p)
        with self._lock, self.torch.no_grad():
            self.torch.manual_seed(seed)
            out = self.model.generate(**inputs, **kwargs,
                                      pad_token_id=self.tokenizer.eos_token_id)
        new_tokens = out[0][inputs["input_ids"].shape[1]:]
        completion = self.tokenizer.decode(new_tokens, skip_special_tokens=True)
        finish = "length" if len(new_tokens) >= config.max_tokens else "stop"
        for s in stop:
            cut = completion.find(s)
            if cut >= 0:
                completion, finish = completion[:cut], "stop"
        return Completion(text=completion, finish_reason=finish, rendering=rendering,
                          prompt_tokens=int(inputs["input_ids"].shape[1]),
                          completion_tokens=len(new_tokens))

    async def complete(
        self, prompt: Prompt, config: GenerationConfig, sample_index: int
    ) -> Completion:
        return await asyncio.to_thread(self._generate, prompt, config, config.seed + sample_index)
