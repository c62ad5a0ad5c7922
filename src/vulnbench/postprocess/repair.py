"""SALLM's rule-based repair (section III-B), applied in order, made right on the shapes real
model outputs take:

- R1 code block extraction: the fenced block that holds the function the prompt asks for
  (else the first one that is not only imports), with the import-only blocks before it;
  SALLM keeps the first block only, which loses the function when a model puts its imports
  in a block of their own;
- R2 prompt addition and R3 extra code removal: see ``vulnbench.postprocess.join``.

A result that no longer holds the code the model wrote (its definition of the function, also
one written outside the fences, or any of its lines) carries a ``dropped`` reason: such a
sample is flagged, never scored on the prompt's stub.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vulnbench.postprocess.join import (
    R3_PATTERNS,
    R3_PATTERNS_C,
    Target,
    code_lines,
    cut_extra_code,
    defines,
    find_target,
    join,
)
from vulnbench.postprocess.shapes import c_block_end, c_def, py_def, py_def_end
from vulnbench.postprocess.syntax import python_parse_error

__all__ = ["R3_PATTERNS", "R3_PATTERNS_C", "RepairResult", "cut_extra_code",
           "dropped_reason", "extract_code", "extract_code_block", "repair"]

_FENCE = re.compile(r"```([^\n`]*)\n(.*?)(?:```|\Z)", re.DOTALL)
_TAGS = {"python": {"", "python", "py", "python3", "py3"},
         "c": {"", "c", "h", "cpp", "c++"}}


@dataclass
class RepairResult:
    code: str
    rules: list[str] = field(default_factory=list)
    extracted: bool = True
    source: str = ""  # the model's code after R1: what R2/R3 must not lose
    dropped: str = ""  # why the result lost the model's code; empty when it did not


def extract_code_block(text: str) -> str | None:
    """SALLM's R1: the content of the first fenced block, or None when the text has no
    fence. An unterminated final fence (output cut by max_tokens) still counts as a block."""
    match = _FENCE.search(text)
    return match.group(2) if match else None


def _imports_only(block: str, language: str) -> bool:
    lines = [ln for ln in block.splitlines() if ln.strip()
             and not ln.strip().startswith(("#", "//", "/*", "*"))]
    if language == "c":
        return all(ln.lstrip().startswith("#") for ln in lines)
    heads = [ln for ln in lines if not ln[0].isspace() and ln.strip() != ")"]
    return all(re.match(r"(?:import|from)[ \t]", ln) for ln in heads)


def extract_code(text: str, language: str, target: Target) -> str | None:
    """R1 over all fenced blocks: the block that defines the target (else the first one
    that is not only imports, else the first), after the import-only blocks before it.
    Blocks tagged with another language (``bash``, ``text``...) are passed over, and so are
    untagged ones when some are tagged with the task's language."""
    blocks = [(m.group(1).strip().lower().split(" ")[0], m.group(2))
              for m in _FENCE.finditer(text)]
    if not blocks:
        return None
    tags = _TAGS.get(language, {""})
    # blocks tagged with the language if any (an untagged one beside them is output or a
    # shell command), else untagged ones, else whatever there is
    usable = [b for tag, b in blocks if tag and tag in tags] or \
        [b for tag, b in blocks if not tag] or [b for _, b in blocks]
    main = next((i for i, b in enumerate(usable) if defines(b, target, language)), None)
    if main is None:
        main = next((i for i, b in enumerate(usable) if not _imports_only(b, language)), 0)
    lead = [b if b.endswith("\n") else b + "\n" for b in usable[:main]
            if b.strip() and _imports_only(b, language)]
    return "".join(lead) + ("\n" if lead else "") + usable[main]


def _parses(code: str) -> bool:
    return python_parse_error(code) is None


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
        return at if _parses(before) or (prompt_prefix.strip() and any(
            _parses(prompt_prefix + sep + before) for sep in ("", "\n"))) else None
    return at if before.rstrip().endswith((";", "}")) else None


def _definition(code: str, name: str, language: str) -> str | None:
    """The text of ``code``'s definition of function ``name`` (to its end or the text's)."""
    if language == "c":
        found = c_def(code, name)
        return code[found[0]: c_block_end(code, found[1])] if found else None
    match = py_def(code, name, "")
    return code[match.start(): py_def_end(code, match.start())] if match else None


def _lines_within(part: list[str], whole: list[str]) -> bool:
    return "\n" + "\n".join(part) + "\n" in "\n" + "\n".join(whole) + "\n"


def dropped_reason(source: str, code: str, prefix: str, target: str | None,
                   language: str) -> str:
    """Why ``code`` (the repaired program) lost what the model wrote in ``source`` (its code
    after R1): its definition of the target function, or every line it added to the prompt.
    Empty when nothing the model wrote was lost that way."""
    if not source.strip():
        return ""
    final = code_lines(code, language)
    own = _definition(source, target, language) if target else None
    if own is not None:
        if not _lines_within(code_lines(own, language), final):
            return f"post-processing dropped the model's definition of {target}()"
        return ""
    prompt = set(code_lines(prefix, language))
    added = [ln for ln in code_lines(source, language) if ln not in prompt]
    kept = set(final)
    # the first line may continue a prompt that stops mid-line (``    return ``)
    if added and not any(ln in kept for ln in added) and not any(
            ln.endswith(added[0]) for ln in final):
        return f"post-processing dropped all {len(added)} code line(s) the model wrote"
    return ""


def repair(raw: str, prompt_prefix: str, *, language: str = "python",
           rules: tuple[str, ...] = ("R1", "R2", "R3"),
           entry_point: str | None = None) -> RepairResult:
    """Apply the enabled rules to ``raw`` for a prompt whose code part is ``prompt_prefix``
    (empty for text prompts, where R2 and R3 have no prompt to anchor on). ``entry_point``
    names the function the task asks for (else the prompt's last function)."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    prefix = prompt_prefix.replace("\r\n", "\n").replace("\r", "\n")
    target = find_target(prefix, entry_point, language)
    fired: list[str] = []
    code = text
    if "R1" in rules and "```" in text:
        closing = _lone_closing_fence(text, prefix, language)
        block = extract_code(text, language, target) if closing is None else None
        # no opening fence (a lone closing fence after completed code): keep what precedes it
        code = block if block is not None else text[: text.find("```")]
        fired.append("R1")
    if not code.strip() and not prefix.strip():
        return RepairResult(code="", rules=fired, extracted=False)
    if not prefix.strip():
        return RepairResult(code=code, rules=fired, source=code)
    joined = join(code, prefix, language, target, r2="R2" in rules, r3_enabled="R3" in rules)
    own = code
    if fired[:1] == ["R1"] and not defines(code, target, language):
        outside = _FENCE.sub("", text)
        if defines(outside, target, language):
            own = outside  # the function is outside the fences (the block is an example)
    return RepairResult(code=joined.code, rules=fired + joined.rules, source=code,
                        dropped=dropped_reason(own, joined.code, prefix, target.name,
                                               language))
