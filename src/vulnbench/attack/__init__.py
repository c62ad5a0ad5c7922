"""Attacks on code models. ``inversion``: CodeLMSec's few-shot model inversion, which samples
"non-secure prompts" from the model itself and completes them into code that the static engine
scores (FS-Code, FS-Prompt, OS-Prompt; the examples' own prompts as the baseline)."""
