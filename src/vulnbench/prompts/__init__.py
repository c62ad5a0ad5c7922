"""Prompt styles behind a registry: how a task becomes what a model is asked."""

from vulnbench.prompts import repair as _repair  # noqa: F401  (registers repair*)
from vulnbench.prompts import retrieval as _retrieval  # noqa: F401  (registers retrieval:*)
from vulnbench.prompts.styles import PromptContext, StyleFn, build_prompt, build_prompts, styles

__all__ = ["PromptContext", "StyleFn", "build_prompt", "build_prompts", "styles"]
