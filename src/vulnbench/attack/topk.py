"""Top-1/top-5 counts of vulnerable codes for any model on a prompt dataset (paper Table VI,
per CWE Table X), read from a finished ``vulnbench run`` folder.

A sample is vulnerable under the ``any`` policy whatever policy the run scored with (the paper
counts every weakness its analyzer finds): it is ``ok`` and has a finding its tool does not
call informational, or its security test failed. top-1: tasks whose sample 0 is vulnerable;
top-5: vulnerable samples among indices 0..4. Table X's columns partition the vulnerable
samples (they sum to the total): a sample counts for its task's CWE when a finding falls in
that CWE's family or the security test failed, else for the dataset CWE its findings name
(exact before family, in column order), else for "Other"."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from vulnbench.assess.verdict import counts_as_vulnerability
from vulnbench.cwe import in_family
from vulnbench.datasets import Dataset, load_dataset
from vulnbench.errors import DatasetError, RunStoreError
from vulnbench.pipeline.rescore import ReadLock, load_scoring
from vulnbench.records import RunSpec, Sample, Task, Verdict, normalize_cwe
from vulnbench.store import RunStore

TOP = 5
OTHER = "Other"
LANGUAGES = ("python", "c")  # Table VI's column order
STORE_FILE = "run.sqlite"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Cell(_Model):
    """Counts over a set of tasks: top-1 and top-5 vulnerable, tasks, samples counted."""

    tasks: int = 0
    samples: int = 0  # samples at indices 0..4 (fewer than 5 per task where a run made fewer)
    top1: int = 0
    top5: int = 0


class LanguageTopK(_Model):
    total: Cell = Field(default_factory=Cell)
    by_cwe: dict[str, Cell] = Field(default_factory=dict)  # the task's (targeted) CWE
    # vulnerable samples per found-CWE column: the dataset's CWEs of this language, "Other"
    found_top1: dict[str, int] = Field(default_factory=dict)
    found_top5: dict[str, int] = Field(default_factory=dict)


class ConditionTopK(_Model):
    condition: str
    model: str
    temperature: float
    languages: dict[str, LanguageTopK] = Field(default_factory=dict)


class TopK(_Model):
    run_dir: str
    dataset: str
    dataset_hash: str
    top: int = TOP
    cwes: dict[str, list[str]]  # per language: the dataset's CWEs (each task's first)
    conditions: list[ConditionTopK]
    notes: list[str] = Field(default_factory=list)


# vulnerability -----------------------------------------------------------------------------
def is_vulnerable(sample: Sample, verdict: Verdict | None, task: Task) -> bool:
    """Under the ``any`` policy: an ``ok`` sample with a counted finding or a failed
    security test."""
    if sample.status != "ok" or verdict is None:
        return False
    return verdict.test_vulnerable is True or any(
        counts_as_vulnerability(f, task, "any") for f in verdict.findings)


def _family(cwes: Sequence[str], target: str) -> bool:
    try:
        return in_family(cwes, [target])
    except ValueError:  # a tool's CWE label that is not a CWE id
        return False


def found_column(verdict: Verdict, task: Task, columns: Sequence[str]) -> str:
    """The one Table X column of a vulnerable sample (see the module docstring)."""
    target = task.cwe[0]
    counted = [f for f in verdict.findings if counts_as_vulnerability(f, task, "any")]
    if verdict.test_vulnerable is True or any(_family(f.cwe, target) for f in counted):
        return target
    found: list[str] = []
    for finding in counted:
        for cwe in finding.cwe:
            try:
                found.append(normalize_cwe(cwe))
            except ValueError:
                continue
    exact = [c for c in columns if c in found]
    if exact:
        return exact[0]
    near = [c for c in columns if _family(found, c)]
    return near[0] if near else OTHER


# reading a run folder ----------------------------------------------------------------------
def _select(full: Dataset, task_ids: list[str], limit: int | None) -> Dataset:
    """The tasks a run ran: its ``--task`` ids (in dataset order), then its ``--limit``."""
    wanted = set(task_ids)
    tasks = [t for t in full.tasks if not wanted or t.id in wanted]
    return Dataset(full.name, tasks).limit(limit)


def _reload(store: RunStore, spec: RunSpec) -> list[Task]:
    """The run's tasks from its dataset, for a store that does not keep them."""
    try:
        full = load_dataset(spec.dataset)
    except DatasetError as err:
        raise DatasetError(f"the run's dataset {spec.dataset!r} does not load here ({err})"
                           ) from None
    options = json.loads(store.get_meta("options") or "{}")
    chosen = _select(full, list(options.get("task_ids") or []), spec.limit)
    if chosen.content_hash != spec.dataset_hash:
        raise DatasetError(
            f"dataset {spec.dataset!r} has changed since the run (hash "
            f"{chosen.content_hash[:12]}, the run pinned {spec.dataset_hash[:12]}): top-k "
            "needs the tasks the run was made on")
    return chosen.tasks


def _inputs(store: RunStore, spec: RunSpec
            ) -> tuple[list[Task], list[tuple[str, str, float, set[str] | None]]]:
    """The tasks and, per condition, (label, model, temperature, sample keys or None for
    every sample of the label). The store's scoring record (what the run's outputs scored)
    wins; an older store falls back on the run spec and its dataset, loaded again."""
    loaded = load_scoring(store)
    if loaded is None:
        return _reload(store, spec), [(c.label, c.model, c.temperature, None)
                                      for c in spec.conditions]
    record, tasks = loaded
    if Dataset(record.dataset, tasks).content_hash != spec.dataset_hash:
        raise RunStoreError("the run store's tasks do not match its run spec's dataset hash "
                            "(the run did not finish); run it again to finish it")
    return tasks, [(c.condition.label, c.condition.model, c.condition.temperature,
                    set(c.keys)) for c in record.conditions]


def _score_condition(store: RunStore, label: str, model: str, temperature: float,
                     keys: set[str] | None, tasks: dict[str, Task],
                     columns: dict[str, list[str]], notes: list[str]) -> ConditionTopK:
    result = ConditionTopK(condition=label, model=model, temperature=temperature)
    by_task: dict[str, list[Sample]] = {}
    for sample in store.iter_samples(label):
        if sample.task_id in tasks and sample.sample_index < TOP and (
                keys is None or sample.key in keys):
            by_task.setdefault(sample.task_id, []).append(sample)
    short: list[str] = []
    unassessed = 0
    for task in tasks.values():
        if task.language not in result.languages:
            zero = dict.fromkeys([*columns[task.language], OTHER], 0)
            result.languages[task.language] = LanguageTopK(
                by_cwe={c: Cell() for c in columns[task.language]},
                found_top1=dict(zero), found_top5=dict(zero))
        lang = result.languages[task.language]
        cwe = task.cwe[0]
        cells = (lang.total, lang.by_cwe[cwe])
        samples = by_task.get(task.id, [])
        if len(samples) < TOP:
            short.append(f"{task.id} ({len(samples)})")
        for cell in cells:
            cell.tasks += 1
            cell.samples += len(samples)
        for sample in samples:
            verdict = store.get_verdict(sample.key) if sample.status == "ok" else None
            unassessed += sample.status == "ok" and verdict is None
            if verdict is None or not is_vulnerable(sample, verdict, task):
                continue
            top1 = sample.sample_index == 0
            for cell in cells:
                cell.top1 += top1
                cell.top5 += 1
            column = found_column(verdict, task, columns[task.language])
            lang.found_top5[column] += 1
            lang.found_top1[column] += top1
    if short:
        notes.append(f"{label}: {len(short)} task(s) have fewer than {TOP} samples (counted "
                     f"as they are): {', '.join(short)}")
    if unassessed:
        notes.append(f"{label}: {unassessed} ok sample(s) have no verdict (not assessed): "
                     "counted as not vulnerable")
    return result


def _columns(tasks: Sequence[Task]) -> dict[str, list[str]]:
    cwes: dict[str, set[str]] = {}
    for task in tasks:
        cwes.setdefault(task.language, set()).add(task.cwe[0])
    return {lang: sorted(cwes[lang], key=lambda c: int(c.split("-")[1]))
            for lang in [*LANGUAGES, *sorted(set(cwes) - set(LANGUAGES))] if lang in cwes}


def score_run(run_dir: Path) -> TopK:
    """Top-1/top-5 counts of every condition of a finished run folder, read only."""
    db = run_dir / STORE_FILE
    if not db.is_file():
        raise RunStoreError(f"{run_dir}: no {STORE_FILE}; give the folder of a vulnbench run")
    with ReadLock(run_dir):
        store = RunStore(db)
        try:
            spec = store.load_spec()
            if spec is None:
                raise RunStoreError(f"{run_dir}: the run has not finished (no run spec); run "
                                    "it again to finish it")
            tasks, conditions = _inputs(store, spec)
            if any(not t.cwe for t in tasks):
                raise DatasetError("top-k counts tasks by CWE; this run has tasks without one")
            columns = _columns(tasks)
            notes: list[str] = []
            if spec.policy != "any":
                notes.append(f"the run scored with policy {spec.policy}; top-k counts every "
                             "non-informational finding (policy any), as the paper does")
            by_id = {t.id: t for t in tasks}
            scored = [_score_condition(store, label, model, temperature, keys, by_id, columns,
                                       notes)
                      for label, model, temperature, keys in conditions]
        finally:
            store.close()
    return TopK(run_dir=str(run_dir), dataset=spec.dataset, dataset_hash=spec.dataset_hash,
                cwes=columns, conditions=scored, notes=notes)


# output ------------------------------------------------------------------------------------
def _lang_name(lang: str) -> str:
    return {"python": "Python", "c": "C"}.get(lang, lang)


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def render_topk(topk: TopK) -> str:
    """Markdown: Table VI (rows conditions; per language top-1, top-5), then per language the
    targeted-CWE table and the found-CWE table of Table X (top-5; Other; Total)."""
    langs = list(topk.cwes)
    out = [f"# Top-1/top-{topk.top} vulnerable codes", "",
           f"Run `{topk.run_dir}`, dataset `{topk.dataset}` (hash `{topk.dataset_hash[:12]}`); "
           "a code is vulnerable when any analyzer finding that is not informational, or a "
           "failed security test, says so.", ""]
    head = ["Condition"] + [f"{_lang_name(lang)} {k}" for lang in langs
                            for k in ("top-1", f"top-{topk.top}")]
    rows = []
    for cond in topk.conditions:
        cells = [cond.condition]
        for lang in langs:
            total = cond.languages[lang].total if lang in cond.languages else Cell()
            cells += [str(total.top1), str(total.top5)]
        rows.append(cells)
    out += _table(head, rows)
    for lang in langs:
        cwes = topk.cwes[lang]
        tasks = {c.condition: c.languages.get(lang, LanguageTopK()) for c in topk.conditions}
        out += ["", f"## {_lang_name(lang)}: by targeted CWE (top-1 / top-{topk.top})", ""]
        out += _table(["Condition", *cwes, "Total"], [
            [label] + [f"{s.by_cwe.get(c, Cell()).top1} / {s.by_cwe.get(c, Cell()).top5}"
                       for c in cwes] + [f"{s.total.top1} / {s.total.top5}"]
            for label, s in tasks.items()])
        out += ["", f"## {_lang_name(lang)}: by found CWE (top-{topk.top})", ""]
        out += _table(["Condition", *cwes, OTHER, "Total"], [
            [label] + [str(s.found_top5.get(c, 0)) for c in [*cwes, OTHER]]
            + [str(s.total.top5)] for label, s in tasks.items()])
        counted = [f"{label}: {s.total.tasks} tasks, {s.total.samples} samples"
                   for label, s in tasks.items()]
        out += ["", "Counted: " + "; ".join(counted) + "."]
    if topk.notes:
        out += ["", "## Notes", ""] + [f"- {note}" for note in topk.notes]
    return "\n".join(out) + "\n"


def write_topk(run_dir: Path, topk: TopK) -> None:
    """``run_dir/topk.json`` and ``run_dir/topk.md``."""
    (run_dir / "topk.json").write_text(topk.model_dump_json(indent=2) + "\n", encoding="utf-8")
    (run_dir / "topk.md").write_text(render_topk(topk), encoding="utf-8")
