"""LLMSecEval (GitHub ``tuhh-softsec/LLMSecEval``, ``Dataset/LLMSecEval-Prompts_dataset.json``):
a JSON array of natural-language prompts for Python and C.

- ``Prompt ID`` (``CWE-190_IOW-1a``) is not unique in the source: the first occurrence keeps
  it, later ones become ``ID-2``, ``ID-3``, ... in file order (deterministic).
- The CWE comes from ``Prompt ID`` (or ``CWE Name`` when the id carries none).
- ``text_prompt`` is the ``Manually-fixed NL Prompt`` where the authors gave one, else the
  ``LLM-generated NL Prompt``. ``code_prompt`` is that prompt as a comment (the source has no
  code prompt; Task requires one): the ``text`` style is the faithful way to run it.
- Languages other than Python and C are skipped and reported."""

from __future__ import annotations

from vulnbench.datasets.public import LoadedDataset
from vulnbench.datasets.public._common import (
    CWE_IN_TEXT,
    comment_stub,
    cwe_from,
    field,
    local_file,
    make_task,
    read_json_array,
    unique_id,
)
from vulnbench.records import Task

SOURCE = "llmseceval"
_EMPTY = {"", "-", "n/a", "na", "none", "nan"}


def load(path: str) -> LoadedDataset:
    file = local_file(SOURCE, path)
    tasks: list[Task] = []
    seen: set[str] = set()
    skipped: dict[str, int] = {}
    renamed = 0
    for where, row in read_json_array(file):
        prompt_id = field(row, "Prompt ID", where)
        language = field(row, "Language", where).strip().lower()
        if language not in ("python", "c"):
            skipped[language] = skipped.get(language, 0) + 1
            continue
        fixed = field(row, "Manually-fixed NL Prompt", where, required=False)
        text = fixed if fixed.strip().lower() not in _EMPTY else field(
            row, "LLM-generated NL Prompt", where)
        cwe_text = prompt_id if CWE_IN_TEXT.search(prompt_id) else field(
            row, "CWE Name", where, required=False)
        task_id = unique_id(prompt_id, seen)
        renamed += task_id != prompt_id
        tasks.append(make_task(
            where, id=task_id, cwe=[cwe_from(cwe_text, where, "Prompt ID / CWE Name")],
            language=language, code_prompt=comment_stub(text, language, "LLMSecEval"),
            text_prompt=text.strip(), source=SOURCE))
    notes = ["LLMSecEval: natural-language prompts only (code_prompt is the prompt as a "
             "comment; use --style text); no tests, no insecure or secure reference"]
    if renamed:
        notes.append(f"LLMSecEval: {renamed} repeated 'Prompt ID' value(s) renamed ID-2, ID-3, "
                     "... in file order")
    if skipped:
        notes.append("skipped rows in languages vulnbench does not run: "
                     + ", ".join(f"{k or '(none)'} {v}" for k, v in sorted(skipped.items())))
    return LoadedDataset(tasks, notes)
