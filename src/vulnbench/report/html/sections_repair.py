"""The ``report.html`` sections of a repair run: outcome counts (table and stacked bars),
SEC@k, secure@k, func-sec@k and CodeBLEU@k with intervals, and the per-CWE table of
SecuCoGen Table 6's shape, as repair.md shows them.

The figures come from the run store through ``repair_results``, the function repair.json
comes from, rather than from repair.json itself: a run writes report.html before
repair.json, so reading the file would show the previous run's figures (or none). In one
process both read the same cached CodeBLEU scores, so the page equals repair.json."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from vulnbench.errors import VulnbenchError
from vulnbench.report.html.page import PageInput, Section, sections
from vulnbench.report.html.sections import table

REPAIR = frozenset({"repair"})
OUTCOMES = ("repaired", "still_vulnerable", "broken", "unchanged", "unjudged")
COLOURS = {"repaired": "#2e8b57", "still_vulnerable": "#c0392b", "broken": "#7f7f7f",
           "unchanged": "#e0a526", "unjudged": "#9db7d5"}
METRICS = ("SEC", "secure", "func-sec", "CodeBLEU")

_cache: list[tuple[PageInput, dict[str, Any] | str]] = []  # the last page's figures


def figures(page: PageInput) -> dict[str, Any] | str:
    """repair_results of the page's run (computed once per page: three sections read it),
    or why there are none."""
    if _cache and _cache[0][0] is page:
        return _cache[0][1]
    from vulnbench.repair.report import repair_results  # repair imports the pipeline

    result: dict[str, Any] | str
    try:
        result = repair_results(page.need_run().store)
    except VulnbenchError as err:
        result = str(err)
    _cache[:] = [(page, result)]
    return result


def _value(name: str, cond: str, view: str, value: float | None, text: str,
           extra: str = "", cwe: str | None = None) -> str:
    """A figure with the attributes tests and readers check; data-value is the JSON value."""
    raw = "" if value is None else f' data-value="{value!r}"'
    raw += "" if cwe is None else f' data-cwe="{escape(cwe)}"'
    return (f'<span data-metric="{escape(name)}" data-condition="{escape(cond)}" '
            f'data-view="{view}"{raw}>{text}</span>{extra}')


def _metric(cond: dict[str, Any], name: str) -> str:
    entry = cond["metrics"].get(name)
    if entry is None:
        why = cond.get("codebleu_unavailable") or "not computed"
        return f'<span class="note" title="{escape(why)}">n/a</span>'
    scale = 100.0 if name.startswith("CodeBLEU") else 1.0
    digits = 2 if scale != 1.0 else 3

    def show(v: float | None) -> str:
        return "n/a" if v is None else f"{v * scale:.{digits}f}"

    ci = ""
    if entry["ci_low"] is not None and entry["ci_high"] is not None:
        ci = f' <span class="ci">[{show(entry["ci_low"])}, {show(entry["ci_high"])}]</span>'
    return _value(name, cond["condition"], "repair", entry["value"], show(entry["value"]), ci)


def stacked_bars(rows: Sequence[tuple[str, dict[str, int]]], title: str) -> str:
    """One horizontal bar per condition, split by outcome share; counts in each part's
    tooltip, and a legend."""
    label_w, plot_w, row_h = 180, 590, 24
    body: list[str] = []
    for i, (label, counts) in enumerate(rows):
        y = 28 + i * row_h
        body.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">'
                    f"{escape(label)}</text>")
        total = sum(counts.get(o, 0) for o in OUTCOMES)
        x = float(label_w)
        for outcome in OUTCOMES:
            count = counts.get(outcome, 0)
            if not total or not count:
                continue
            width = count / total * plot_w
            body.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{width:.1f}" '
                        f'height="{row_h - 7}" fill="{COLOURS[outcome]}"><title>'
                        f"{escape(label)}: {outcome} {count} of {total}</title></rect>")
            x += width
        if not total:
            body.append(f'<text x="{label_w + 4}" y="{y + 15}">no samples</text>')
    for j, outcome in enumerate(OUTCOMES):
        x = label_w + j * 118
        body.append(f'<rect x="{x}" y="4" width="10" height="10" fill="{COLOURS[outcome]}"/>'
                    f'<text x="{x + 14}" y="13" class="small">{outcome}</text>')
    height = 36 + len(rows) * row_h
    return (f'<svg width="{label_w + plot_w + 20}" height="{height}" viewBox="0 0 '
            f'{label_w + plot_w + 20} {height}" role="img" aria-label="{escape(title)}">'
            f"<title>{escape(title)}</title>{''.join(body)}</svg>")


def outcomes(page: PageInput) -> str:
    results = figures(page)
    if isinstance(results, str):
        return f"<p>No repair figures: {escape(results)}</p>"
    conds = results["conditions"]
    rows = []
    for c in conds:
        cells = [_value(o, c["condition"], "outcomes", c["outcomes"][o], str(c["outcomes"][o]),
                        f' <span class="ci">({_share(c["shares"][o])})</span>')
                 for o in OUTCOMES]
        rows.append([escape(c["condition"]), str(c["tasks"]), str(c["samples"]), *cells])
    chart = stacked_bars([(c["condition"], c["outcomes"]) for c in conds],
                         "repair outcomes per condition")
    return ("<p>What became of each repair attempt, as counts (share of all samples). "
            "unchanged: the answer returned the insecure input; never counted as a repair. "
            "Figures as in repair.json, computed from the run store.</p>"
            + table(["condition", "tasks", "samples", *OUTCOMES], rows) + chart)


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def metrics(page: PageInput) -> str:
    results = figures(page)
    if isinstance(results, str):
        return ""
    names = [f"{m}@{k}" for k in results["ks"] for m in METRICS]
    rows = [[escape(c["condition"])] + [_metric(c, n) for n in names]
            for c in results["conditions"]]
    notes = "".join(f'<p class="note">{escape(c["condition"])}: CodeBLEU not computed: '
                    f'{escape(c["codebleu_unavailable"])}</p>'
                    for c in results["conditions"] if c["codebleu_unavailable"])
    return ("<p>Averaged over tasks, 95% bootstrap interval over tasks in brackets; "
            "CodeBLEU in percent against the secure reference.</p>"
            + "<style>#repair-metrics td{white-space:nowrap}</style>"
            + '<div class="scroll">' + table(["condition", *names], rows) + "</div>" + notes)


def per_cwe(page: PageInput) -> str:
    results = figures(page)
    if isinstance(results, str) or not results["ks"]:
        return ""
    k = max(results["ks"])
    out = []
    for c in results["conditions"]:
        rows = []
        for r in c["per_cwe"]:
            bleu = r.get(f"CodeBLEU@{k}")
            sec = r.get(f"SEC@{k}")
            rows.append([escape(r["cwe"]), str(r["tasks"]), f'{r["repaired"]}/{r["samples"]}',
                         "n/a" if bleu is None else f"{bleu * 100:.2f}",
                         _value(f"SEC@{k}", c["condition"], "per_cwe", sec,
                                "n/a" if sec is None else f"{sec:.2f}", cwe=r["cwe"])])
        out += [f"<h3>{escape(c['condition'])}</h3>",
                table(["CWE", "tasks", "repaired / samples", f"CoB@{k}", f"SEC@{k}"], rows)]
    return "".join(out)


sections.register("repair-outcomes")(Section("Repair outcomes", REPAIR, outcomes))
sections.register("repair-metrics")(Section("Repair figures", REPAIR, metrics))
sections.register("repair-cwe")(Section("Repair per CWE (SecuCoGen Table 6)", REPAIR,
                                        per_cwe))
for _name in ("repair-outcomes", "repair-metrics", "repair-cwe"):
    sections.place(_name, before="browser")
