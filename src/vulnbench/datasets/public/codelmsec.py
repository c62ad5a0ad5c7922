"""CodeLMSec (the authors' copy in GitHub ``hajipour/hexacoder``,
``benchmark_data/codelmsec/``): one bare code prefix per file,
``{python,c}/CWE-XXX/{generator}_CWE-XXX_{i}_{j}.{py,c}``.

PATH is the ``codelmsec`` folder (holding ``python/`` and/or ``c/``) or one language folder.
Where ``{lang}/non-dup_file_names.json`` exists (CWE -> kept file stems), only the files it
lists are loaded, as in the paper. A listed name may lack the generator prefix its file carries
(``CWE-094_1_1`` listed, file ``gpt4_CWE-094_1_1.py``): it matches the one file of its CWE
folder named ``{generator}_{name}`` that no other entry lists (several such files: none is
taken, and the name is reported). Task ids are ``codelmsec-{py|c}-{file stem}``. Files left out
and listed names without a file are named in the notes."""

from __future__ import annotations

import json
from pathlib import Path

from vulnbench.datasets.public import LoadedDataset
from vulnbench.datasets.public._common import (
    cwe_from,
    last_python_def,
    local_dir,
    make_task,
    read_text,
    third_party_imports,
)
from vulnbench.errors import DatasetError
from vulnbench.records import Task, normalize_cwe

SOURCE = "codelmsec"
LANGS = {"python": ("python", ".py", "py"), "c": ("c", ".c", "c")}
KEEP_FILE = "non-dup_file_names.json"


def _keep_list(lang_dir: Path) -> dict[str, set[str]] | None:
    file = lang_dir / KEEP_FILE
    if not file.is_file():
        return None
    try:
        data = json.loads(read_text(file))
    except json.JSONDecodeError as err:
        raise DatasetError(f"{file}:{err.lineno}: invalid JSON: {err.msg}") from None
    if not isinstance(data, dict):
        raise DatasetError(f"{file}: expected an object mapping each CWE to file names")
    keep: dict[str, set[str]] = {}
    for key, names in data.items():
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise DatasetError(f"{file}: entry {key!r} must be a list of file names")
        try:
            cwe = normalize_cwe(key)
        except ValueError:
            raise DatasetError(f"{file}: key {key!r} is not a CWE id") from None
        keep[cwe] = {Path(n).stem if n.endswith((".py", ".c")) else n for n in names}
    return keep


def _select(keep: dict[str, set[str]], cwe: str, stems: list[str]
            ) -> tuple[set[str], dict[str, str], list[str], list[str]]:
    """For one CWE folder: the kept stems, listed name -> stem matched by suffix, listed names
    with several candidate files, listed names with none."""
    listed = keep.get(cwe, set())
    chosen = {n for n in listed if n in stems}
    by_suffix: dict[str, str] = {}
    ambiguous: list[str] = []
    missing: list[str] = []
    for name in sorted(listed - chosen):
        candidates = [s for s in stems if s.endswith(f"_{name}") and s not in listed]
        if len(candidates) == 1:
            by_suffix[name] = candidates[0]
        elif candidates:
            ambiguous.append(f"{name} ({', '.join(candidates)})")
        else:
            missing.append(name)
    return chosen | set(by_suffix.values()), by_suffix, ambiguous, missing


def load(path: str) -> LoadedDataset:
    root = local_dir(SOURCE, path)
    if root.name in LANGS:
        lang_dirs = [root]
    else:
        lang_dirs = [root / name for name in LANGS if (root / name).is_dir()]
    if not lang_dirs:
        raise DatasetError(f"{root}: no python/ or c/ folder of CodeLMSec prompts")
    tasks: list[Task] = []
    notes = ["CodeLMSec: code prompts only; no tests, no insecure or secure reference, no "
             "text prompt (vulnerability is judged by static analysis alone)"]
    for lang_dir in lang_dirs:
        language, ext, short = LANGS[lang_dir.name]
        keep = _keep_list(lang_dir)
        dropped: list[str] = []
        suffixed: list[str] = []
        ambiguous: list[str] = []
        missing: list[str] = []
        for cwe_dir in sorted(d for d in lang_dir.iterdir() if d.is_dir()):
            files = sorted(cwe_dir.glob(f"*{ext}"))
            cwe = cwe_from(cwe_dir.name, str(files[0]), "folder name") if files else ""
            chosen: set[str] = set()
            if keep is not None and files:
                chosen, by_suffix, amb, miss = _select(keep, cwe, [f.stem for f in files])
                suffixed += [f"{n} -> {s}" for n, s in sorted(by_suffix.items())]
                ambiguous += amb
                missing += miss
            for file in files:
                where = str(file)
                if keep is not None and file.stem not in chosen:
                    dropped.append(file.name)
                    continue
                code = read_text(file)
                if not code.strip():
                    raise DatasetError(f"{file}: empty prompt file")
                tasks.append(make_task(
                    where, id=f"codelmsec-{short}-{file.stem}", cwe=[cwe], language=language,
                    entry_point=last_python_def(code) if language == "python" else None,
                    code_prompt=code,
                    runtime=third_party_imports(code) if language == "python" else [],
                    source=SOURCE))
        if keep is not None:
            listed_cwes = {c for c, names in keep.items() if names}
            found_cwes = {cwe_from(d.name, str(d), "folder name") for d in lang_dir.iterdir()
                          if d.is_dir() and any(d.glob(f"*{ext}"))}
            missing += [f"{n} (no {c} folder)" for c in sorted(listed_cwes - found_cwes)
                        for n in sorted(keep[c])]
            _keep_notes(notes, lang_dir.name, dropped, suffixed, ambiguous, missing)
    return LoadedDataset(tasks, notes)


def _keep_notes(notes: list[str], lang: str, dropped: list[str], suffixed: list[str],
                ambiguous: list[str], missing: list[str]) -> None:
    head = f"CodeLMSec {lang}:"
    if dropped:
        notes.append(f"{head} {len(dropped)} file(s) not in {KEEP_FILE} skipped: "
                     + ", ".join(dropped))
    if suffixed:
        notes.append(f"{head} {len(suffixed)} name(s) in {KEEP_FILE} lack the generator prefix "
                     "of their file, matched by suffix: " + ", ".join(suffixed))
    if ambiguous:
        notes.append(f"{head} {len(ambiguous)} name(s) in {KEEP_FILE} match several files, "
                     "none taken: " + ", ".join(ambiguous))
    if missing:
        notes.append(f"{head} {len(missing)} file(s) listed in {KEEP_FILE} not found: "
                     + ", ".join(missing))
