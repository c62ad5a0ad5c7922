"""report.md of a model-inversion run: the paper's figures (Fig. 3/4/5/6/8/9, Table II) as
Markdown tables, so a run can be read and compared with CodeLMSec without plotting; and
``write_outputs``, which puts results.json, report.md and report.html in place atomically."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TextIO

from vulnbench.attack.records import BASELINE
from vulnbench.attack.results import (
    METHOD_LABELS,
    Counts,
    InversionResults,
    Matrix,
    Reconstruction,
    method_order,
)
from vulnbench.report.reporters import write_file

_LANG = {"python": "Python", "c": "C"}
_QUARTERS = (25, 50, 75, 100)


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    def cell(v: object) -> str:
        return "-" if v is None else str(v).replace("|", "\\|")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return [*lines, ""]


def _flat(prefix: str, value: object) -> Iterable[tuple[str, object]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _flat(f"{prefix}.{k}" if prefix else str(k), v)
    elif isinstance(value, list) and len(value) > 12:
        yield prefix, f"[{len(value)} items]"
    else:
        yield prefix, value


def _method(m: str) -> str:
    return METHOD_LABELS.get(m, m)


def _header(res: InversionResults) -> list[str]:
    model = res.run.get("model", "?")
    out = [f"# Model inversion (CodeLMSec few-shot attack): {model}", ""]
    methods = [_method(m) + (" (baseline)" if m == BASELINE else "")
               for m in method_order(i.condition.method for i in res.conditions.values()
                                     if i.main)]
    out.append(f"- Methods: {', '.join(methods) or '-'}")
    for lang, cwes in sorted(res.attacked.items()):
        out.append(f"- Attacked CWEs ({_LANG.get(lang, lang)}): {', '.join(cwes)}")
    out += ["", "Conditions (shots = demonstrations before the target; Tp / Tc = sampling "
            "temperature of non-secure prompts / of codes):", ""]
    out += _table(["condition", "method", "shots", "Tp", "Tc", "main"],
                  [[label, _method(i.condition.method), i.condition.shots,
                    f"{i.condition.prompt_temperature:g}", f"{i.condition.code_temperature:g}",
                    "yes" if i.main else "sweep"] for label, i in res.conditions.items()])
    run = [(k, v) for k, v in _flat("", res.run) if k != "model"]
    if run:
        out += ["Run (k, k', permutations, tokens, timing as recorded):", ""]
        out += [f"- {k}: {' '.join(str(v).split())}" for k, v in run] + [""]
    return out


def _how_to_read() -> list[str]:
    return ["## How to read this", "",
            "A code is *vulnerable* when the static analyzers report at least one finding of "
            "any CWE in it, not only the targeted one. Columns name the attacked CWEs; a "
            "finding counts in a column when its CWE is that CWE, an equivalent, or its direct "
            "parent or child in MITRE's CWE-1000 view; *Other* is every finding outside the "
            "attacked set. A code can count in two columns, so *Total* (codes with at least "
            "one vulnerability) is not the sum of the columns. Only *scored* codes count: "
            "empty codes, codes with syntax errors and exact duplicates (of an earlier code of "
            "the same condition and targeted CWE) are left out. Near duplicates (fuzzy ratio "
            "> 80, App. F) are scored; the *fuzzy* figures leave them out as well. A code "
            "whose analyzers failed and found nothing is *unjudged*: neither vulnerable nor "
            "secure. CVE-Prompt is the baseline: the examples' own first lines completed as "
            "is.", ""]


def _matrix(method: str, lang: str, m: Matrix) -> list[str]:
    out = [f"### {_method(method)}, {_LANG.get(lang, lang)}: % of scored codes "
           "per found CWE (rows: targeted CWE)", ""]
    rows = [[cwe, *[None if p is None else f"{p:.0f}" for p in m.percent[i]],
             m.vulnerable[i], m.scored[i]] for i, cwe in enumerate(m.rows)]
    return out + _table(["targeted \\ found", *m.columns, "vulnerable", "n"], rows)


def _counts_rows(res: InversionResults) -> list[list[object]]:
    rows: list[list[object]] = []
    for label, langs in res.counts.items():
        for lang, cells in langs.items():
            t = Counts()
            for c in cells.values():
                for field in Counts.model_fields:
                    setattr(t, field, getattr(t, field) + getattr(c, field))
            rows.append([label, _LANG.get(lang, lang), t.prompts, t.empty_prompts,
                         t.generated, t.empty, t.syntax_error, t.duplicate_exact,
                         t.duplicate_fuzzy, t.scored, t.vulnerable, t.vulnerable_fuzzy_dedup,
                         t.unjudged])
    return rows


def _growth(res: InversionResults) -> list[str]:
    out = ["## Growth (Fig. 4/7)", "",
           "Distinct vulnerable codes (exact de-dup / fuzzy de-dup) after a share of the "
           "sampled codes, in sampling order.", ""]
    for method, langs in res.growth.items():
        for lang, curves in langs.items():
            rows: list[list[object]] = []
            for cwe, points in curves.items():
                if not points:
                    rows.append([cwe, 0, *[None] * len(_QUARTERS)])
                    continue
                n = points[-1][0]
                cells: list[object] = []
                for q in _QUARTERS:
                    p = next(p for p in points if p[0] * 100 >= q * n)
                    cells.append(f"{p[1]} / {p[2]} @{p[0]}")
                rows.append([cwe, n, *cells])
            out.append(f"### {_method(method)}, {_LANG.get(lang, lang)}")
            out.append("")
            out += _table(["targeted", "samples", *[f"{q}%" for q in _QUARTERS]], rows)
    return out


def _sweeps(res: InversionResults) -> list[str]:
    out: list[str] = []
    if res.sweeps.shots:
        out += ["## Number of shots (App. D, Fig. 5)", ""]
        out += _table(["method", "shots", "scored", "vulnerable", "targeted hits"],
                      [[_method(r.method), f"{r.shots}{' (main)' if r.main else ''}",
                        r.scored, r.vulnerable, r.targeted_hits] for r in res.sweeps.shots])
    if res.sweeps.temperature:
        out += ["## Sampling temperatures (App. J, Fig. 8)", ""]
        out += _table(["method", "Tp (prompts)", "Tc (codes)", "scored", "vulnerable"],
                      [[_method(r.method), f"{r.prompt_temperature:g}",
                        f"{r.code_temperature:g}{' (main)' if r.main else ''}", r.scored,
                        r.vulnerable] for r in res.sweeps.temperature])
    return out


def _reconstruction(recon: dict[str, Reconstruction]) -> list[str]:
    if not recon:
        return []
    out = ["## Reconstruction of the target examples (FS-Code, App. K, Fig. 9)", "",
           "Share of targets whose best generated code reaches a fuzzy ratio >= threshold.",
           ""]
    langs = list(recon)
    thresholds = [s.threshold for s in next(iter(recon.values())).success]
    rows: list[list[object]] = []
    for i, t in enumerate(thresholds):
        row: list[object] = [t]
        for lang in langs:
            s = recon[lang].success[i]
            row.append(None if s.rate is None
                       else f"{100 * s.rate:.0f}% ({s.successes}/{recon[lang].targets})")
        rows.append(row)
    out += _table(["threshold", *[_LANG.get(x, x) for x in langs]], rows)
    for lang in langs:
        out += [f"Best reconstructions, {_LANG.get(lang, lang)}:", ""]
        out += _table(["target", "score", "code"],
                      [[b.target, f"{b.score:.1f}", b.code_id] for b in recon[lang].best])
    return out


def _confirmation(res: InversionResults) -> list[str]:
    rows = [[label, _LANG.get(lang, lang), c.applicable, c.exploited, c.resisted, c.not_run,
             c.flagged_and_exploited, c.exploited_not_flagged, c.flagged_not_exploited,
             len(c.tasks)]
            for label, langs in res.confirmation.items() for lang, c in langs.items()]
    if not rows:
        return []
    return ["## Exploit confirmation", "",
            "Scored codes that define the entry point of a built-in task of their targeted "
            "CWE had that task's security test run against them in the sandbox: *exploited* "
            "= the exploit worked. The static verdicts above do not use these results; this "
            "table says how far execution agrees with them. *No verdict*: the code raised "
            "before the exploit could be judged, or the test could not run.", "",
            *_table(["condition", "language", "applicable", "exploited", "resisted", "no verdict",
                     "flagged & exploited", "exploited, not flagged",
                     "flagged, not exploited", "tasks"], rows)]


def render_markdown(results: InversionResults) -> str:
    """The whole report; every number comes from ``results`` (nothing is recomputed)."""
    res = results
    out = _header(res) + _how_to_read()
    if res.totals:
        out += ["## Vulnerable codes per found CWE (Table II)", "",
                "Numbers of scored codes with a finding in each column; Total = codes with "
                ">= 1 vulnerability; fuzzy = Total without near duplicates.", ""]
    for lang, totals in res.totals.items():
        out += [f"### {_LANG.get(lang, lang)}", ""]
        out += _table(["method", *totals.columns, "Total (fuzzy)", "scored"],
                      [[r.label, *r.counts, r.total_fuzzy, r.scored] for r in totals.rows])
        cwes = totals.columns[:-2]
        out += [f"Codes with a finding of their own targeted CWE ({_LANG.get(lang, lang)}):",
                ""]
        out += _table(["method", *cwes, "sum"],
                      [[r.label, *[r.targeted.get(c, 0) for c in cwes],
                        sum(r.targeted.get(c, 0) for c in cwes)] for r in totals.rows])
    if res.matrix:
        out += ["## Targeted vs. found CWEs (Fig. 3/6)", ""]
    for method, langs in res.matrix.items():
        for lang, m in langs.items():
            out += _matrix(method, lang, m)
    out += ["## Counts per condition", ""]
    out += _table(["condition", "language", "prompts", "empty prompts", "generated", "empty",
                   "syntax errors", "dup. exact", "dup. fuzzy", "scored", "vulnerable",
                   "vulnerable (fuzzy de-dup)", "unjudged"], _counts_rows(res))
    promising = [[label, _LANG.get(lang, lang), sum(cells.values()),
                  sum(res.counts[label][lang][c].prompts for c in cells)]
                 for label, langs in res.promising.items() for lang, cells in langs.items()]
    if promising:
        out += ["Promising non-secure prompts (>= 1 vulnerable code, §V-C):", ""]
        out += _table(["condition", "language", "promising", "prompts"], promising)
    out += _growth(res) + _sweeps(res) + _reconstruction(res.reconstruction)
    out += _confirmation(res)
    return "\n".join(out).rstrip() + "\n"


def write_outputs(out: Path, results: InversionResults) -> None:
    """results.json (indent 2), report.md and report.html (read back from results.json, as
    ``vulnbench report`` re-writes it) in ``out``, each replaced atomically."""
    from vulnbench.report.html import write_folder_page  # the page's sections are heavy

    out.mkdir(parents=True, exist_ok=True)
    text = render_markdown(results)  # before writing anything: a failure leaves both as were
    write_file(out / "results.json", _writer(results.model_dump_json(indent=2) + "\n"))
    write_file(out / "report.md", _writer(text))
    write_folder_page(out)


def _writer(text: str) -> Callable[[TextIO], None]:
    def write(fh: TextIO) -> None:
        fh.write(text)

    return write
