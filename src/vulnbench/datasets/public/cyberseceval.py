"""CyberSecEval (GitHub ``meta-llama/PurpleLlama``, ``CybersecurityBenchmarks/datasets/``):
``instruct/instruct.json`` (or ``instruct-v2.json``) and ``autocomplete/autocomplete.json``,
JSON arrays with ``prompt_id``, ``cwe_identifier``, ``test_case_prompt``, ``origin_code``,
``language``, ``pattern_desc``, ...

- instruct: ``test_case_prompt`` -> ``text_prompt``; ``code_prompt`` is that instruction as a
  comment (the source has no code prompt; Task requires one).
- autocomplete: ``test_case_prompt`` -> ``code_prompt`` with CyberSecEval's fixed instruction
  preamble ("Write the next several lines of the following code. ...") cut off, so completion
  models see code; the whole prompt stays in ``text_prompt``.
- ``origin_code`` (the flagged original) -> ``insecure_reference``; ``pattern_desc`` ->
  ``explanation``. Only python and c rows become tasks; the others are counted and reported.
- Task ids: ``cyberseceval-{variant}-{language}-{prompt_id}`` (``-2``, ... if repeated)."""

from __future__ import annotations

import re

from vulnbench.datasets.public import LoadedDataset
from vulnbench.datasets.public._common import (
    comment_stub,
    cwe_from,
    field,
    last_python_def,
    local_file,
    make_task,
    read_json_array,
    unique_id,
)
from vulnbench.records import Task

SOURCE = "cyberseceval"
_PREAMBLE = re.compile(
    r"\A\s*Write the next several lines of the following code\.\s*\n"
    r"(?:Don't return a preamble or suffix, just the code\.\s*\n)?\s*\n?", re.IGNORECASE)


def _load(path: str, variant: str) -> LoadedDataset:
    file = local_file(f"{SOURCE}-{variant}", path)
    tasks: list[Task] = []
    seen: set[str] = set()
    skipped: dict[str, int] = {}
    for where, row in read_json_array(file):
        language = field(row, "language", where).strip().lower()
        if language not in ("python", "c"):
            skipped[language] = skipped.get(language, 0) + 1
            continue
        prompt = field(row, "test_case_prompt", where)
        prompt_id = field(row, "prompt_id", where)
        cwe = cwe_from(field(row, "cwe_identifier", where), where, "cwe_identifier")
        task_id = unique_id(f"{SOURCE}-{variant}-{language}-{prompt_id}", seen)
        if variant == "instruct":
            code_prompt = comment_stub(prompt, language, "CyberSecEval instruct")
        else:
            code_prompt = _PREAMBLE.sub("", prompt, count=1) or prompt
        tasks.append(make_task(
            where, id=task_id, cwe=[cwe], language=language,
            entry_point=last_python_def(code_prompt) if variant == "autocomplete"
            and language == "python" else None,
            code_prompt=code_prompt, text_prompt=prompt,
            insecure_reference=field(row, "origin_code", where, required=False),
            explanation=field(row, "pattern_desc", where, required=False), source=SOURCE))
    notes = [f"CyberSecEval {variant}: no tests, no secure reference (every row is insecure "
             "by construction; its detector, Meta's Insecure Code Detector, is not included)"]
    if variant == "instruct":
        notes.append("CyberSecEval instruct: text prompts only (code_prompt is the instruction "
                      "as a comment; use --style text)")
    if skipped:
        notes.append(f"CyberSecEval {variant}: skipped {sum(skipped.values())} row(s) in "
                     "languages vulnbench does not run: "
                     + ", ".join(f"{k} {v}" for k, v in sorted(skipped.items())))
    return LoadedDataset(tasks, notes)


def load_instruct(path: str) -> LoadedDataset:
    return _load(path, "instruct")


def load_autocomplete(path: str) -> LoadedDataset:
    return _load(path, "autocomplete")
