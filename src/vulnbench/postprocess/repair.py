"""SALLM's rule-based repair (section III-B), applied in order:

- R1 code block extraction: keep only the first block delimited by three backticks;
- R2 prompt addition: prepend the original prompt when the output does not contain it;
- R3 extra code removal: in the part the model added after the prompt, cut everything from the
  first ``\\ndef``, ``\\nif``, ``\\n@app``, ``\\n'''`` or ``\\nclass`` (pattern included).
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass, field

R3_PATTERNS = ("\ndef", "\nif", "\n@app", "\n'''", "\nclass")
# C counterpart (vulnbench's, not SALLM's): a C task's tests link their own driver, so a
# generated ``main`` is extra code that would clash with it.
R3_PATTERNS_C = ("\nint main", "\nvoid main")
_FENCE = re.compile(r"```[^\n`]*\n(.*?)(?:```|\Z)", re.DOTALL)


@dataclass
class RepairResult:
    code: str
    rules: list[str] = field(default_factory=list)
    extracted: bool = True


def extract_code_block(text: str) -> str | None:
    """R1: the content of the first fenced block, or None when the text has no fence.
    An unterminated final fence (output cut by max_tokens) still counts as a block."""
    match = _FENCE.search(text)
    return match.group(1) if match else None


def _parses(code: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _lone_closing_fence(text: str, prompt_prefix: str, language: str) -> int | None:
    """Where the text's first fence is a *closing* fence with no opening one (a completion
    model that continued the prompt's code and then closed a block it never opened), the
    offset of that fence; else None. Such a fence is untagged, the fences do not pair up,
    and the text before it is code (alone or after the prompt), not prose."""
    at = text.find("```")
    if at < 0 or text.count("```") % 2 == 0:
        return None
    before = text[:at]
    tag = text[at + 3:].split("\n", 1)[0]
    if not before.strip() or tag.strip():
        return None
    if language == "python":
        return at if _parses(before) or (
            prompt_prefix.strip() and _parses(prompt_prefix + before)) else None
    return at if before.rstrip().endswith((";", "}")) else None


def cut_extra_code(completion: str, language: str = "python") -> str:
    """R3 on the generated part only: cut at the earliest stop pattern."""
    patterns = R3_PATTERNS_C if language == "c" else R3_PATTERNS
    cuts = [i for i in (completion.find(p) for p in patterns) if i >= 0]
    return completion[: min(cuts)] if cuts else completion


def _contains_prompt(code: str, prompt: str) -> bool:
    return prompt.strip() in code


def repair(raw: str, prompt_prefix: str, *, language: str = "python",
           rules: tuple[str, ...] = ("R1", "R2", "R3")) -> RepairResult:
    """Apply the enabled rules to ``raw`` for a prompt whose code part is ``prompt_prefix``
    (empty for text prompts, where R2 and R3 have no prompt to anchor on)."""
    fired: list[str] = []
    code = raw
    if "R1" in rules and "```" in raw:
        closing = _lone_closing_fence(raw, prompt_prefix, language)
        block = extract_code_block(raw) if closing is None else None
        # no opening fence (a lone closing fence after completed code): keep what precedes it
        code = block if block is not None else raw[: raw.find("```")]
        fired.append("R1")
    if not code.strip() and not prompt_prefix.strip():
        return RepairResult(code="", rules=fired, extracted=False)
    if not prompt_prefix.strip():
        return RepairResult(code=code, rules=fired)
    head, completion = "", code
    if _contains_prompt(code, prompt_prefix):
        at = code.find(prompt_prefix.strip()) + len(prompt_prefix.strip())
        head, completion = code[:at], code[at:]
    elif "R2" in rules:
        head = prompt_prefix
        fired.append("R2")
    if "R3" in rules:
        cut = cut_extra_code(completion, language)
        if cut != completion:
            fired.append("R3")
            completion = cut
    return RepairResult(code=head + completion, rules=fired)
