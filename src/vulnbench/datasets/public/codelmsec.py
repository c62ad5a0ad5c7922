"""CodeLMSec (the authors' copy in GitHub ``hajipour/hexacoder``,
``benchmark_data/codelmsec/``): one bare code prefix per file,
``{python,c}/CWE-XXX/{generator}_CWE-XXX_{i}_{j}.{py,c}``.

PATH is the ``codelmsec`` folder (holding ``python/`` and/or ``c/``) or one language folder.
Where ``{lang}/non-dup_file_names.json`` exists (CWE -> kept file stems), only the files it
lists are loaded, as in the paper. Task ids are ``codelmsec-{py|c}-{file stem}``."""

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
        dropped = 0
        found: set[str] = set()
        for cwe_dir in sorted(d for d in lang_dir.iterdir() if d.is_dir()):
            for file in sorted(cwe_dir.glob(f"*{ext}")):
                where = str(file)
                cwe = cwe_from(cwe_dir.name, where, "folder name")
                if keep is not None and file.stem not in keep.get(cwe, set()):
                    dropped += 1
                    continue
                found.add(file.stem)
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
            if dropped:
                notes.append(f"CodeLMSec {lang_dir.name}: {dropped} file(s) not in "
                             f"{KEEP_FILE} skipped")
            missing = sorted(set().union(*keep.values()) - found) if keep else []
            if missing:
                notes.append(f"CodeLMSec {lang_dir.name}: {len(missing)} file(s) listed in "
                             f"{KEEP_FILE} not found: {', '.join(missing[:5])}")
    return LoadedDataset(tasks, notes)
