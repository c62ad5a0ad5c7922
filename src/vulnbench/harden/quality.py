"""Retrieval quality, SecCoder §5.3 (Fig. 6): how often a retriever's top-m allowed
demonstrations share the task's CWE (accuracy@m), and how many demonstrations it takes to reach
the first one that does (average minimum number). Both are also given for the CWE *family*
(``vulnbench.cwe.family``), which is the only informative figure under exclude-cwe: there the
task's own CWEs are removed from the candidates, so the exact figures are 0 by construction."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field

from vulnbench.cwe import in_family
from vulnbench.harden.records import SETTINGS, Hit, Setting
from vulnbench.harden.retrievers import allowed, get_retriever, query_text
from vulnbench.harden.store import DemoStore
from vulnbench.records import Task

DEFAULT_MS: tuple[int, ...] = (1, 3, 5, 10)
EXCLUDED_NOTE = "n/a: the task's CWEs are excluded by construction under exclude-cwe"


@dataclass
class QualityRow:
    """One retriever x setting x language ("all" pools both). ``accuracy`` maps m to the mean
    over tasks of the share of its top-m allowed demos with one of the task's CWEs; ``None``
    where the figure is meaningless (exact matches under exclude-cwe)."""

    retriever: str
    setting: str
    language: str
    tasks: int
    accuracy: dict[int, float | None]
    family_accuracy: dict[int, float | None]
    min_number: float | None
    unreachable: int | None
    family_min_number: float | None
    family_unreachable: int
    note: str = ""

    def to_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class QualityReport:
    """Every row plus what they were measured on (the store's content hash)."""

    dataset: str
    store_hash: str
    ms: tuple[int, ...]
    rows: list[QualityRow] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"dataset": self.dataset, "store_hash": self.store_hash, "ms": list(self.ms),
                "rows": [r.to_json() for r in self.rows]}

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2)


@dataclass
class _TaskScore:
    language: str
    exact: dict[int, float]
    family: dict[int, float]
    first_exact: int | None
    first_family: int | None


def _exact(task: Task, hit: Hit) -> bool:
    return bool(set(hit.demo.cwe) & set(task.cwe))


def _family(task: Task, hit: Hit) -> bool:
    return in_family(hit.demo.cwe, task.cwe)


def _first(flags: Sequence[bool]) -> int | None:
    return next((i for i, f in enumerate(flags, 1) if f), None)


def score_task(task: Task, ranked: Sequence[Hit], setting: Setting,
               ms: Sequence[int] = DEFAULT_MS) -> _TaskScore:
    """One task's shares for each m and first-hit ranks, over the allowed part of ``ranked``
    (a retriever's ranking of its whole corpus). With fewer than m allowed demos the share is
    over those there are."""
    kept = [h for h in ranked if allowed(task, h.demo, setting)]
    ex = [_exact(task, h) for h in kept]
    fam = [_family(task, h) for h in kept]

    def share(flags: list[bool], m: int) -> float:
        top = flags[:m]
        return sum(top) / len(top) if top else 0.0

    return _TaskScore(task.language, {m: share(ex, m) for m in ms},
                      {m: share(fam, m) for m in ms}, _first(ex), _first(fam))


def _mean(xs: Sequence[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def _row(name: str, setting: Setting, language: str, scores: Sequence[_TaskScore],
         ms: Sequence[int]) -> QualityRow:
    firsts = [s.first_exact for s in scores if s.first_exact is not None]
    ffirsts = [s.first_family for s in scores if s.first_family is not None]
    blind = setting == "exclude-cwe"
    return QualityRow(
        retriever=name, setting=setting, language=language, tasks=len(scores),
        accuracy={m: None if blind else _mean([s.exact[m] for s in scores]) for m in ms},
        family_accuracy={m: _mean([s.family[m] for s in scores]) for m in ms},
        min_number=None if blind else _mean([float(f) for f in firsts]),
        unreachable=None if blind else len(scores) - len(firsts),
        family_min_number=_mean([float(f) for f in ffirsts]),
        family_unreachable=len(scores) - len(ffirsts),
        note=EXCLUDED_NOTE if blind else "")


def evaluate_rankings(tasks: Sequence[Task], rank: Callable[[Task], Sequence[Hit]], name: str,
                      settings: Iterable[Setting] = SETTINGS,
                      ms: Sequence[int] = DEFAULT_MS) -> list[QualityRow]:
    """Rows for one ranker (a task -> its ranking of the whole corpus) under each setting:
    per language, then all tasks pooled."""
    ranked = {t.id: list(rank(t)) for t in tasks}
    rows: list[QualityRow] = []
    for setting in settings:
        scores = [score_task(t, ranked[t.id], setting, ms) for t in tasks]
        for lang in sorted({s.language for s in scores}):
            rows.append(_row(name, setting, lang, [s for s in scores if s.language == lang], ms))
        rows.append(_row(name, setting, "all", scores, ms))
    return rows


def evaluate(store: DemoStore, tasks: Sequence[Task] | None = None,
             retrievers: Sequence[tuple[str, dict[str, object]]] = (("random", {}),
                                                                      ("bm25", {})),
             settings: Iterable[Setting] = SETTINGS, ms: Sequence[int] = DEFAULT_MS,
             dataset: str = "builtin") -> QualityReport:
    """Every task of ``dataset`` (or ``tasks``) against each retriever built over the store's
    demos of the task's language. A retriever is named ``name`` or ``name(k=v,...)``."""
    if tasks is None:
        from vulnbench.datasets import load_dataset

        tasks = [t for t in load_dataset(dataset).tasks if t.cwe]
    report = QualityReport(dataset=dataset, store_hash=store.content_hash(), ms=tuple(ms))
    settings = tuple(settings)
    for name, params in retrievers:
        label = name + (f"({','.join(f'{k}={v}' for k, v in sorted(params.items()))})"
                        if params else "")

        def rank(task: Task, name: str = name, params: dict[str, object] = params
                 ) -> list[Hit]:
            return get_retriever(store, task.language, name, **params).rank(query_text(task))

        report.rows.extend(evaluate_rankings(tasks, rank, label, settings, ms))
    return report


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}"


def _num(x: float | None, missing: int | None) -> str:
    if missing is None:
        return "n/a"
    return ("-" if x is None else f"{x:.2f}") + (f" ({missing} none)" if missing else "")


def render_table(rows: Sequence[QualityRow]) -> str:
    """Markdown: accuracy@m in percent (exact CWE, then family) and the average minimum number
    (tasks with no reachable match in brackets). ``n/a`` marks figures that exclude-cwe makes
    0 by construction."""
    ms = sorted({m for r in rows for m in r.accuracy})
    head = (["retriever", "setting", "lang", "tasks"] + [f"acc@{m}" for m in ms]
            + [f"fam@{m}" for m in ms] + ["min no.", "fam min no."])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = ([r.retriever, r.setting, r.language, str(r.tasks)]
                 + [_pct(r.accuracy.get(m)) for m in ms]
                 + [_pct(r.family_accuracy.get(m)) for m in ms]
                 + [_num(r.min_number, r.unreachable),
                    _num(r.family_min_number, r.family_unreachable)])
        lines.append("| " + " | ".join(cells) + " |")
    if any(r.note for r in rows):
        lines.append("")
        lines.append(f"n/a: {EXCLUDED_NOTE.removeprefix('n/a: ')}; the family columns are the "
                     "informative ones there.")
    return "\n".join(lines)
