"""SecurityEval (GitHub ``s2e-lab/SecurityEval``, ``dataset.jsonl``): JSON Lines with ``ID``
(``CWE-020_author_1.py``; the CWE is its prefix), ``Prompt`` and ``Insecure_code``.

Task ids are the source's ``ID`` unchanged, so published outputs keyed by it replay as is."""

from __future__ import annotations

from vulnbench.datasets.public import LoadedDataset
from vulnbench.datasets.public._common import (
    check_unique,
    cwe_from,
    field,
    last_python_def,
    local_file,
    make_task,
    read_jsonl,
    third_party_imports,
)
from vulnbench.records import Task

SOURCE = "securityeval"
LACKS = "SecurityEval: no tests, no secure reference, no text prompt"


def load(path: str) -> LoadedDataset:
    file = local_file(SOURCE, path)
    tasks: list[Task] = []
    seen: dict[str, str] = {}
    for where, row in read_jsonl(file):
        task_id = field(row, "ID", where)
        prompt = field(row, "Prompt", where)
        insecure = field(row, "Insecure_code", where, required=False)
        check_unique(task_id, where, seen)
        tasks.append(make_task(
            where, id=task_id, cwe=[cwe_from(task_id.split("_")[0], where, "ID")],
            language="python", entry_point=last_python_def(prompt), code_prompt=prompt,
            insecure_reference=insecure, runtime=third_party_imports(insecure or prompt),
            source=SOURCE))
    return LoadedDataset(tasks, [LACKS])
