"""Detector quality: precision, recall, F1 and CWE-family share of true positives per analyzer
and for vulnbench's combined policy (any of its default analyzers flags the sample: bandit,
semgrep with vulnbench's rule pack, and gcc -fanalyzer / cppcheck for C). CodeShield is
measured as a comparator and is not part of the combined policy.

    python benchmarks/detectors.py [--analyzer bandit --analyzer semgrep ...]
                                   [--extra NAME ...] [--llm SPEC ...] [--limit N]
                                   [--labeled FILE.jsonl] [--no-builtin]
                                   [--policy any|target] [--show-errors]
                                   [--per-sample-seconds]

Corpora: (a) the built-in tasks' references (insecure = positive, secure = negative) and
(b) each ``--labeled`` JSONL of ``{"id","code","language","label_vulnerable","cwe"}``.
A sample counts as flagged by an analyzer when it reports a finding that counts as a
vulnerability (bandit's informational rules are ignored, as in the verdicts); the "family"
column is the share of true positives with a finding in the labeled CWE family. Each
``--extra NAME`` (an analyzer outside the combined policy, run as well) adds a row
"combined+NAME": the combined policy with NAME added, i.e. what NAME would contribute.
``--policy target`` counts only findings in the family of the sample's labeled CWE (the
verdicts' ``target`` policy); the default ``any`` counts every finding but reminders.

Each ``--llm SPEC`` (repeatable; a ``--model`` spec such as ``local`` or
``openai:gpt-4o-mini``) adds the row ``llm:SPEC``: that model asked whether each sample is
vulnerable and which CWE (``vulnbench.analyzers.llm``), scored like the analyzers and outside
the combined policy. Its "errors" are answers that could not be parsed or model failures.
The "s/sample" column is each row's wall time over the corpus divided by the samples it judged
(for "combined", its analyzers' times over the corpus size); ``--per-sample-seconds`` also
prints those figures as one line per corpus. The embedded model takes seconds per sample, so
``--limit N`` keeps a balanced subset of each corpus (its first ceil(N/2) insecure and first
floor(N/2) secure samples, in corpus order), on which every row is computed: the comparison
stays on the same samples."""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from vulnbench.analyzers import AnalysisInput, create_analyzer
from vulnbench.analyzers.runner import DEFAULT_ANALYZERS, InputResult, run_analyzers
from vulnbench.assess.verdict import Policy, counts_as_vulnerability
from vulnbench.cwe import in_family
from vulnbench.metrics.classification import Confusion
from vulnbench.records import Finding, Task, normalize_cwe

COMBINED = list(DEFAULT_ANALYZERS)
DEFAULT = [*COMBINED, "codeshield"]


@dataclass
class Labeled:
    id: str
    code: str
    language: str
    vulnerable: bool
    cwe: list[str]


def builtin_corpus() -> list[Labeled]:
    from vulnbench.datasets import load_dataset

    out = []
    for t in load_dataset("builtin").tasks:
        if t.insecure_reference.strip():
            out.append(Labeled(f"{t.id}:insecure", t.insecure_reference, t.language, True, t.cwe))
        if t.secure_reference.strip():
            out.append(Labeled(f"{t.id}:secure", t.secure_reference, t.language, False, t.cwe))
    return out


def jsonl_corpus(path: Path) -> list[Labeled]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        cwe = row.get("cwe") or []
        cwe = [cwe] if isinstance(cwe, str | int) else cwe
        out.append(Labeled(str(row.get("id", n)), row["code"], row.get("language", "python"),
                           bool(row["label_vulnerable"]), [normalize_cwe(c) for c in cwe]))
    return out


def balanced(corpus: Sequence[Labeled], limit: int | None) -> list[Labeled]:
    """The first ceil(limit/2) vulnerable and first floor(limit/2) safe samples, in corpus
    order: deterministic, and both classes present however the corpus is sorted."""
    if limit is None:
        return list(corpus)
    take = {True: (limit + 1) // 2, False: limit // 2}
    out = []
    for s in corpus:
        if take[s.vulnerable] > 0:
            take[s.vulnerable] -= 1
            out.append(s)
    return out


def _task(sample: Labeled) -> Task:
    return Task(id=sample.id, cwe=sample.cwe or ["CWE-20"], language=sample.language,  # type: ignore[arg-type]
                code_prompt="-")


def counted(findings: Sequence[Finding], sample: Labeled, policy: Policy = "any"
            ) -> list[Finding]:
    """The findings that flag ``sample`` under ``policy`` (``target``: in the family of the
    sample's labeled CWE; ``any``: every finding but the analyzers' reminders)."""
    task = _task(sample)
    return [f for f in findings if counts_as_vulnerability(f, task, policy)]


@dataclass
class Score(Confusion):
    """A detector's confusion counts (``vulnbench.metrics.classification``), with how many of
    its true positives name the labeled CWE family and how many samples it failed on."""

    family_tp: int = 0
    errors: int = 0

    def add(self, flagged: bool, in_fam: bool, truth: bool) -> None:  # type: ignore[override]
        super().add(flagged, truth)
        self.family_tp += flagged and truth and in_fam

    def row(self, per_sample: float) -> str:
        p, r, f1 = (0.0 if math.isnan(v) else v for v in (self.precision, self.recall, self.f1))
        fam = self.family_tp / self.tp if self.tp else 0.0
        return (f"{self.tp:>4}{self.fp:>4}{self.fn:>4}{self.tn:>4}{p:>8.3f}{r:>8.3f}{f1:>8.3f}"
                f"{fam:>8.3f}{self.errors:>7}{per_sample:>10.4f}")


def evaluate(name: str, corpus: list[Labeled], analyzers: list[str], show: bool,
             extras: Sequence[str] = (), policy: Policy = "any",
             per_sample_seconds: bool = False) -> None:
    batch = [AnalysisInput(s.id, s.code, s.language) for s in corpus]
    by_tool: dict[str, dict[str, InputResult]] = {}
    took_s: dict[str, float] = {}  # wall seconds over the corpus
    per_sample: dict[str, float] = {}  # ... divided by the samples in the analyzer's languages
    for a in analyzers:
        analyzer = create_analyzer(a)
        if why := analyzer.unavailable():
            print(f"  {a}: skipped ({why})")
            continue
        start = time.perf_counter()
        items = [b for b in batch if b.language in analyzer.languages]
        by_tool[a] = run_analyzers(items, [analyzer])
        took = took_s[a] = time.perf_counter() - start
        per_sample[a] = took / max(1, len(items))
        print(f"  {a}: {len(items)} samples in {took:.1f}s"
              f" ({took / max(1, len(items)):.4f}s/sample)")
    print(f"\n{name}: {len(corpus)} samples "
          f"({sum(s.vulnerable for s in corpus)} vulnerable), policy {policy}")
    w = max([14, *(len(a) + 11 for a in extras), *(len(a) + 2 for a in by_tool)])
    print(f"{'analyzer':<{w}}{'TP':>4}{'FP':>4}{'FN':>4}{'TN':>4}{'prec':>8}{'recall':>8}"
          f"{'F1':>8}{'family':>8}{'errors':>7}{'s/sample':>10}")
    combined = Score()
    scores = {a: Score() for a in by_tool}
    plus = {a: Score() for a in extras if a in by_tool}
    for s in corpus:
        any_flag, any_fam = False, False
        extra_hit: dict[str, tuple[bool, bool]] = {}
        for a, results in by_tool.items():
            res = results.get(s.id)
            if res is None:
                continue  # language not covered: the analyzer abstains
            if res.errors:
                scores[a].errors += 1
            hits = counted(res.findings, s, policy)
            fam = any(in_family(f.cwe, s.cwe) for f in hits) if s.cwe else False
            scores[a].add(bool(hits), fam, s.vulnerable)
            if a in plus:
                extra_hit[a] = (bool(hits), fam)
            if a in COMBINED:
                any_flag |= bool(hits)
                any_fam |= fam
            if show and bool(hits) != s.vulnerable:
                kind = "FP" if hits else "FN"
                print(f"    {kind} {a} {s.id} {[f'{f.rule_id}:{f.cwe}:{f.line}' for f in hits]}")
        combined.add(any_flag, any_fam, s.vulnerable)
        for a, sc in plus.items():
            flag, fam = extra_hit.get(a, (False, False))
            sc.add(any_flag or flag, any_fam or fam, s.vulnerable)
    members = [a for a in by_tool if a in COMBINED]
    combined_s = sum(took_s[a] for a in members) / max(1, len(corpus))
    for a, sc in scores.items():
        print(f"{a:<{w}}{sc.row(per_sample[a])}")
    print(f"{'combined':<{w}}{combined.row(combined_s)}   (" + "+".join(members) + ")")
    for a, sc in plus.items():
        print(f"{'combined+' + a:<{w}}{sc.row(combined_s + took_s[a] / max(1, len(corpus)))}")
    if per_sample_seconds:
        print("seconds per sample: " + ", ".join(f"{a} {v:.4f}" for a, v in per_sample.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--analyzer", action="append", default=None)
    parser.add_argument("--extra", action="append", default=[], metavar="NAME",
                        help="also run NAME and print the combined policy with it added")
    parser.add_argument("--llm", action="append", default=[], metavar="SPEC",
                        help="also score the model SPEC (a --model spec, e.g. local) as the "
                             "row llm:SPEC; repeatable")
    parser.add_argument("--limit", type=int, default=None, metavar="N",
                        help="a balanced subset of each corpus: its first ceil(N/2) insecure "
                             "and floor(N/2) secure samples, for every row")
    parser.add_argument("--per-sample-seconds", action="store_true",
                        help="also print each row's seconds per sample as one line")
    parser.add_argument("--labeled", action="append", type=Path, default=[])
    parser.add_argument("--no-builtin", action="store_true")
    parser.add_argument("--policy", choices=["any", "target"], default="any",
                        help="any: every finding flags the sample (the default); target: only "
                             "findings in the family of the sample's labeled CWE")
    parser.add_argument("--show-errors", action="store_true",
                        help="list each false positive / false negative")
    args = parser.parse_args()
    if inside := [a for a in args.extra if a in COMBINED]:
        parser.error(f"--extra {inside[0]}: already part of the combined policy")
    if args.limit is not None and args.limit < 2:
        parser.error("--limit needs at least 2 (one insecure and one secure sample)")
    chosen = args.analyzer or DEFAULT
    analyzers = [*chosen, *(a for a in args.extra if a not in chosen)]
    analyzers += [f"llm:{spec}" for spec in args.llm if f"llm:{spec}" not in analyzers]
    corpora = [] if args.no_builtin else [("builtin references", builtin_corpus())]
    corpora += [(str(path), jsonl_corpus(path)) for path in args.labeled]
    for name, corpus in corpora:
        subset = balanced(corpus, args.limit)
        label = name if args.limit is None else f"{name} (balanced --limit {args.limit})"
        evaluate(label, subset, analyzers, args.show_errors, args.extra, args.policy,
                 args.per_sample_seconds)


if __name__ == "__main__":
    main()
