"""LLMSecEval (GitHub ``tuhh-softsec/LLMSecEval``, ``Dataset/LLMSecEval-Prompts_dataset.json``):
a JSON array of natural-language prompts for Python and C.

- ``Prompt ID`` (``CWE-190_IOW-1a``) is not unique in the source: the first occurrence keeps
  it, later ones become ``ID-2``, ``ID-3``, ... in file order (deterministic).
- The CWE comes from ``Prompt ID`` (or ``CWE Name`` when the id carries none).
- ``text_prompt`` is the ``Manually-fixed NL Prompt`` where the authors gave one, else the
  ``LLM-generated NL Prompt``. ``code_prompt`` is that prompt as a comment (the source has no
  code prompt; Task requires one): the ``text`` style is the faithful way to run it.
- PATH is the ``Dataset`` folder or the JSON file in it. ``Secure Code Samples/CWE-XXX/
  {Prompt ID}.{py,c}`` beside the JSON file become secure references, matched on the Prompt ID
  (CWE number without leading zeros, case-insensitive) and on the language (a Python sample is
  no reference for a C prompt); a sample serves every row that carries its Prompt ID. Samples
  that match no prompt, and prompts without a sample, are named in the notes.
  ``Security Unit Tests/`` (2 entries, no documented format) is not loaded and is named.
- Languages other than Python and C are skipped and named."""

from __future__ import annotations

import re
from pathlib import Path

from vulnbench.datasets.public import LoadedDataset
from vulnbench.datasets.public._common import (
    CWE_IN_TEXT,
    comment_stub,
    cwe_from,
    field,
    is_url,
    local_file,
    make_task,
    read_json_array,
    read_text,
    unique_id,
)
from vulnbench.errors import DatasetError
from vulnbench.records import Task

SOURCE = "llmseceval"
JSON_NAME = "LLMSecEval-Prompts_dataset.json"
SAMPLES_DIR = "Secure Code Samples"
UNIT_TESTS_DIR = "Security Unit Tests"
_EMPTY = {"", "-", "n/a", "na", "none", "nan"}
_EXT = {".py": "python", ".c": "c"}
_ID = re.compile(r"^\s*CWE[-_ ]?0*(\d+)[-_ ]?(.*?)\s*$", re.IGNORECASE)


def sample_key(prompt_id: str) -> str:
    """``CWE-089_SQI-1a`` and ``CWE-89_SQI-1a`` -> ``89_sqi-1a`` (how samples are named)."""
    match = _ID.match(prompt_id)
    return f"{int(match.group(1))}_{match.group(2).lower()}" if match else \
        prompt_id.strip().lower()


def _json_file(spec: str) -> Path:
    if spec and not is_url(spec) and Path(spec).expanduser().is_dir():
        file = Path(spec).expanduser() / JSON_NAME
        if not file.is_file():
            raise DatasetError(f"llmseceval: {file.parent} is a folder without {JSON_NAME} "
                               "(pass LLMSecEval's Dataset folder or the JSON file)")
        return file
    return local_file(SOURCE, spec)


def _samples(folder: Path) -> dict[tuple[str, str], Path]:
    """(sample key, language) -> file, for every sample under ``Secure Code Samples``."""
    found: dict[tuple[str, str], Path] = {}
    for file in sorted(folder.rglob("*")):
        if file.is_file() and file.suffix in _EXT:
            found.setdefault((sample_key(file.stem), _EXT[file.suffix]), file)
    return found


def _names(items: list[str]) -> str:
    return ", ".join(items)


def load(path: str) -> LoadedDataset:
    file = _json_file(path)
    here = None if is_url(path) else file.parent
    samples = _samples(here / SAMPLES_DIR) if here and (here / SAMPLES_DIR).is_dir() else {}
    used: set[tuple[str, str]] = set()
    tasks: list[Task] = []
    seen: set[str] = set()
    skipped: list[str] = []
    without: list[str] = []
    other_language: list[str] = []
    renamed = 0
    for where, row in read_json_array(file):
        prompt_id = field(row, "Prompt ID", where)
        language = field(row, "Language", where).strip().lower()
        if language not in ("python", "c"):
            skipped.append(f"{prompt_id} ({language or 'no language'})")
            continue
        fixed = field(row, "Manually-fixed NL Prompt", where, required=False)
        text = fixed if fixed.strip().lower() not in _EMPTY else field(
            row, "LLM-generated NL Prompt", where)
        cwe_text = prompt_id if CWE_IN_TEXT.search(prompt_id) else field(
            row, "CWE Name", where, required=False)
        task_id = unique_id(prompt_id, seen)
        renamed += task_id != prompt_id
        key = (sample_key(prompt_id), language)
        sample = samples.get(key)
        if sample is not None:
            used.add(key)
        elif samples:
            other = [f for (k, lang), f in samples.items() if k == key[0] and lang != language]
            (other_language if other else without).append(task_id)
        tasks.append(make_task(
            where, id=task_id, cwe=[cwe_from(cwe_text, where, "Prompt ID / CWE Name")],
            language=language, code_prompt=comment_stub(text, language, "LLMSecEval"),
            text_prompt=text.strip(), secure_reference=read_text(sample) if sample else "",
            explanation=f"LLMSecEval secure sample: {sample.relative_to(here).as_posix()}"
            if sample and here else "", source=SOURCE))
    return LoadedDataset(tasks, _notes(here, samples, used, tasks, renamed, skipped, without,
                                       other_language))


def _notes(here: Path | None, samples: dict[tuple[str, str], Path], used: set[tuple[str, str]],
           tasks: list[Task], renamed: int, skipped: list[str], without: list[str],
           other_language: list[str]) -> list[str]:
    with_ref = sum(bool(t.secure_reference) for t in tasks)
    notes = ["LLMSecEval: natural-language prompts only (code_prompt is the prompt as a "
             "comment; use --style text); no tests, no insecure reference"]
    if with_ref:
        notes.append(f"LLMSecEval: {with_ref} of {len(tasks)} task(s) have a secure reference "
                     f"from '{SAMPLES_DIR}'")
    else:
        notes.append(f"LLMSecEval: no '{SAMPLES_DIR}' folder beside the JSON file: no secure "
                     "references")
    if without:
        notes.append(f"LLMSecEval: {len(without)} task(s) without a secure sample: "
                     + _names(without))
    if other_language:
        notes.append(f"LLMSecEval: {len(other_language)} task(s) whose sample is in another "
                     f"language than the prompt (not used as reference): "
                     + _names(other_language))
    unused = sorted(f.relative_to(here).as_posix() for k, f in samples.items()
                    if k not in used and here)
    if unused:
        notes.append(f"LLMSecEval: {len(unused)} secure sample(s) match no prompt of their "
                     "language: " + _names(unused))
    if here and (here / UNIT_TESTS_DIR).is_dir():
        tests = here / UNIT_TESTS_DIR
        entries = sorted(p.relative_to(tests).as_posix() for p in tests.glob("*/*"))
        notes.append(f"LLMSecEval: '{UNIT_TESTS_DIR}' ({len(entries)} entries: "
                     f"{_names(entries)}) not loaded: no documented format, too few to run")
    if renamed:
        notes.append(f"LLMSecEval: {renamed} repeated 'Prompt ID' value(s) renamed ID-2, ID-3, "
                     "... in file order")
    if skipped:
        notes.append(f"LLMSecEval: {len(skipped)} row(s) skipped, in languages vulnbench does "
                     "not run: " + _names(skipped))
    return notes
