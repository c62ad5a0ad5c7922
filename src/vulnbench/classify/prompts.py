"""Prompts of the classification experiment (SecuCoGen, experiment 6, in the spirit of its
Figure 4): *detection* asks whether code is vulnerable, *type prediction* which of a list of
CWEs insecure code has. Both ask for the answer first and a one-sentence reason after it, so a
short ``max_tokens`` budget still holds the answer and the parser reads it from the start."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from vulnbench.cwe import cwe_name
from vulnbench.errors import VulnbenchError
from vulnbench.records import Prompt, normalize_cwe

DETECT_STYLE = "detect"
CWE_STYLE = "cwe-type"
SYSTEM = "You are a software security expert who reviews code for vulnerabilities."
# marks a prompt rendered by as_completion (meta is provenance, not part of the hash)
AS_COMPLETION = "as_completion"


def _fenced(code: str, language: str) -> str:
    """The code in a fence tagged with its language; a fence inside the code would end the
    block early, so the outer fence is longer than any run of backticks in the code."""
    longest = max((len(run) for run in code.split("\n") if set(run.strip()) == {"`"}),
                  default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{code.rstrip()}\n{fence}"


def detect_prompt(task_id: str, code: str, language: str) -> Prompt:
    """Is this code vulnerable? The answer is "Yes" or "No", then a one-sentence reason."""
    text = (f"Is the following {language} code vulnerable?\n\n{_fenced(code, language)}\n\n"
            'Answer "Yes" or "No" first, then give the reason in one sentence.')
    return Prompt(task_id=task_id, style=DETECT_STYLE, kind="chat", text=text, system=SYSTEM)


def cwe_prompt(task_id: str, code: str, language: str,
               choices: Sequence[tuple[str, str]]) -> Prompt:
    """Which of ``choices`` (id, one-line description) does this insecure code have? The
    answer is one CWE id, then a one-sentence reason."""
    if not choices:
        raise VulnbenchError("a CWE-type prompt needs at least one CWE to choose from")
    listed = "\n".join(f"{cid}: {desc}" if desc else cid for cid, desc in choices)
    text = (f"The following {language} code has a vulnerability.\n\n"
            f"{_fenced(code, language)}\n\n"
            f"Which one of these CWEs does it have?\n{listed}\n\n"
            'Answer with the one CWE id first, written as "CWE-<number>", then give the '
            "reason in one sentence.")
    return Prompt(task_id=task_id, style=CWE_STYLE, kind="chat", text=text, system=SYSTEM)


def cwe_choices(cwes: Iterable[str]) -> list[tuple[str, str]]:
    """Each distinct CWE once as (id, MITRE's name), sorted by number: the same list in every
    prompt, whatever order the tasks come in. The name is empty when the catalogue lacks it."""
    ids: set[str] = set()
    for cwe in cwes:
        try:
            ids.add(normalize_cwe(cwe))
        except ValueError as err:
            raise VulnbenchError(str(err)) from None
    return [(cid, cwe_name(cid)) for cid in sorted(ids, key=lambda c: int(c.split("-")[1]))]


def as_completion(prompt: Prompt) -> Prompt:
    """The same question as a plain completion ending in "Answer:", for a model without a
    chat template: the backends render a chat prompt for such a model as an opened code
    fence, which asks for code, not for a verdict."""
    if prompt.kind == "completion":
        return prompt
    head = f"{prompt.system.strip()}\n\n" if prompt.system else ""
    return prompt.model_copy(update={
        "kind": "completion", "system": None,
        "text": f"{head}{prompt.text.rstrip()}\n\nAnswer:",
        "meta": {**prompt.meta, AS_COMPLETION: True}})
