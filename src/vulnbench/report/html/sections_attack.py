"""The sections of ``report.html`` for a model-inversion folder (``vulnbench invert``: its
results.json is :class:`InversionResults`) and a transfer folder (``vulnbench invert
transfer``: :class:`TransferResults`). They show report.md's figures under its names; values a
test or reader may check sit in elements with ``data-attack`` (the results.json field) and the
keys that locate them (``data-method``, ``data-language``, ``data-row``, ``data-col``...)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from pydantic import ValidationError

from vulnbench.attack.results import METHOD_LABELS, InversionResults, Matrix, method_order
from vulnbench.attack.transfer import Cell, TransferResults
from vulnbench.report.html import svg
from vulnbench.report.html.folder import describers
from vulnbench.report.html.page import PageInput, Section, sections
from vulnbench.report.html.sections import table

ATTACK = frozenset({"attack"})
LANGUAGES = {"python": "Python", "c": "C"}


def _lang(language: str) -> str:
    return LANGUAGES.get(language, language)


def _method(method: str) -> str:
    return METHOD_LABELS.get(method, method)


def _results(docs: Mapping[str, Any]) -> InversionResults | None:
    """The inversion results of the folder; None for a transfer folder."""
    raw = docs.get("results.json")
    if not isinstance(raw, dict) or "attacked" not in raw:
        return None
    return InversionResults.model_validate(raw)


def _transfer(docs: Mapping[str, Any]) -> TransferResults | None:
    raw = docs.get("results.json")
    if not isinstance(raw, dict) or "sources" not in raw:
        return None
    return TransferResults.model_validate(raw)


def _value(kind: str, text: str, **keys: str) -> str:
    """A checkable value: ``<span data-attack=kind data-KEY=...>text</span>``."""
    attrs = "".join(f' data-{k}="{escape(v)}"' for k, v in keys.items())
    return f'<span data-attack="{kind}"{attrs}>{escape(text)}</span>'


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}%"


def overview(page: PageInput) -> str:
    """Methods, attacked CWEs and conditions: what the figures below are of."""
    try:
        res = _results(page.documents)
    except ValidationError as err:  # a results.json of another vulnbench version
        return f'<p class="note">results.json is not an inversion result: {escape(str(err))}</p>'
    if res is None:
        return ""
    rows = [[escape(label), escape(_method(i.condition.method)), str(i.condition.shots),
             f"{i.condition.prompt_temperature:g}", f"{i.condition.code_temperature:g}",
             "main" if i.main else "sweep"] for label, i in res.conditions.items()]
    attacked = "".join(f"<li>{escape(_lang(lang))}: {escape(', '.join(cwes))}</li>"
                       for lang, cwes in sorted(res.attacked.items()))
    return (f"<p>Attacked CWEs:</p><ul>{attacked}</ul>"
            "<p>A code is <em>vulnerable</em> when the static analyzers report a finding of "
            "any CWE; a finding counts in the column of the attacked CWE whose family holds "
            "it, else in <em>Other</em>. Only scored codes count (not empty, no syntax error, "
            "no exact duplicate); <em>fuzzy</em> figures also leave near duplicates out. "
            "Shots = demonstrations before the target; Tp / Tc = sampling temperature of "
            "non-secure prompts / of codes.</p>"
            + table(["condition", "method", "shots", "Tp", "Tc", "role"], rows))


def totals(page: PageInput) -> str:
    """Table II: scored codes with a finding per found column, methods as rows."""
    res = _safe(page)
    if res is None or not res.totals:
        return ""
    out = ["<p>Numbers of scored codes with a finding in each column; Total = codes with at "
           "least one vulnerability (not the sum: a code can count in two columns); fuzzy = "
           "Total without near duplicates.</p>"]
    for lang, t in res.totals.items():
        rows = [[escape(r.label)]
                + [_value("totals", str(n), language=lang, method=r.method, col=col)
                   for col, n in zip(t.columns, r.counts, strict=True)]
                + [_value("totals", str(r.total_fuzzy), language=lang, method=r.method,
                          col="fuzzy"), str(r.scored)] for r in t.rows]
        cwes = t.columns[:-2]
        own = [[escape(r.label)] + [str(r.targeted.get(c, 0)) for c in cwes]
               + [str(sum(r.targeted.get(c, 0) for c in cwes))] for r in t.rows]
        out += [f"<h3>{escape(_lang(lang))}</h3>",
                table(["method", *t.columns, "Total (fuzzy)", "scored"], rows),
                "<p>Codes with a finding of their own targeted CWE:</p>",
                table(["method", *cwes, "sum"], own)]
    return "".join(out)


def _safe(page: PageInput) -> InversionResults | None:
    try:
        return _results(page.documents)
    except ValidationError:  # the overview says why
        return None


def _matrix(method: str, lang: str, m: Matrix) -> str:
    title = f"{_method(method)}, {_lang(lang)}: % of scored codes per found CWE"
    chart = svg.heatmap(m.rows, m.columns, m.percent, title, scale=100.0, label=_percent,
                        hatch=True)
    rows = [[escape(cwe)]
            + [_value("matrix", _percent(p), method=method, language=lang, row=cwe, col=col)
               for col, p in zip(m.columns, m.percent[i], strict=True)]
            + [str(m.vulnerable[i]), str(m.scored[i])] for i, cwe in enumerate(m.rows)]
    return (f"<h3>{escape(title)}</h3>" + f'<div class="scroll">{chart}</div>'
            + "<details><summary>as a table</summary>"
            + table(["targeted \\ found", *m.columns, "vulnerable", "n"], rows) + "</details>")


def matrix(page: PageInput) -> str:
    """Fig. 3/6: rows the targeted CWEs, columns the found ones; a row with no scored code
    is n/a (hatched), not 0%."""
    res = _safe(page)
    if res is None or not res.matrix:
        return ""
    return "".join(_matrix(method, lang, m) for method, langs in res.matrix.items()
                   for lang, m in langs.items())


def growth(page: PageInput) -> str:
    """Fig. 4/7: vulnerable codes found as codes are sampled, one line per targeted CWE."""
    res = _safe(page)
    if res is None or not res.growth:
        return ""
    out = ["<p>Distinct vulnerable codes (exact de-dup) after each sampled code, in "
           "sampling order; the table gives the final counts, fuzzy de-dup too.</p>"]
    for method, langs in res.growth.items():
        for lang, curves in langs.items():
            title = f"{_method(method)}, {_lang(lang)}"
            series = [(cwe, [(float(p[0]), float(p[1])) for p in pts])
                      for cwe, pts in curves.items()]
            rows = [[escape(cwe), str(pts[-1][0] if pts else 0),
                     _value("growth", str(pts[-1][1] if pts else 0), method=method,
                            language=lang, row=cwe),
                     str(pts[-1][2] if pts else 0)] for cwe, pts in curves.items()]
            out += [f"<h3>{escape(title)}</h3>",
                    svg.lines(series, f"{title}: vulnerable codes vs codes sampled",
                              "codes sampled", "vulnerable"),
                    table(["targeted", "codes sampled", "vulnerable", "vulnerable (fuzzy)"],
                          rows)]
    return "".join(out)


def sweeps(page: PageInput) -> str:
    """App. D/J: the shot and temperature sweeps, on the cells each sweep ran on."""
    res = _safe(page)
    if res is None or not (res.sweeps.shots or res.sweeps.temperature):
        return ""
    out = []
    if res.sweeps.shots:
        rows = [[escape(_method(r.method)), f"{r.shots}{' (main)' if r.main else ''}",
                 str(r.scored), _value("shots", str(r.vulnerable), method=r.method,
                                       row=str(r.shots)), str(r.targeted_hits)]
                for r in res.sweeps.shots]
        out += ["<h3>Number of shots (Fig. 5)</h3>",
                table(["method", "shots", "scored", "vulnerable", "targeted hits"], rows)]
    if res.sweeps.temperature:
        rows = [[escape(_method(r.method)), f"{r.prompt_temperature:g}",
                 f"{r.code_temperature:g}{' (main)' if r.main else ''}", str(r.scored),
                 _value("temperature", str(r.vulnerable), method=r.method,
                        row=f"{r.prompt_temperature:g}/{r.code_temperature:g}")]
                for r in res.sweeps.temperature]
        out += ["<h3>Sampling temperatures (Fig. 8)</h3>",
                table(["method", "Tp (prompts)", "Tc (codes)", "scored", "vulnerable"], rows)]
    return "".join(out)


def reconstruction(page: PageInput) -> str:
    """App. K: the share of targets whose best FS-Code code reaches a fuzzy ratio."""
    res = _safe(page)
    if res is None or not res.reconstruction:
        return ""
    out = ["<p>Share of target examples whose best generated code (main FS-Code condition) "
           "reaches a fuzzy ratio of at least the threshold.</p>"]
    for lang, rec in res.reconstruction.items():
        rows = [[f"&ge; {s.threshold}",
                 _value("reconstruction", "n/a" if s.rate is None else f"{s.rate:.4f}",
                        language=lang, row=str(s.threshold)),
                 f"{s.successes} / {rec.targets}"] for s in rec.success]
        chart = svg.bars([(f">= {s.threshold}", s.rate, None, None) for s in rec.success],
                         f"{_lang(lang)}: reconstruction success rate per threshold")
        best = [[escape(b.target), f"{b.score:.1f}", escape(b.code_id or "-")]
                for b in rec.best]
        out += [f"<h3>{escape(_lang(lang))} ({rec.targets} targets)</h3>", chart,
                table(["threshold", "success rate", "successes / targets"], rows),
                "<p>Best reconstructions:</p>", table(["target", "score", "code"], best)]
    return "".join(out)


def confirmation(page: PageInput) -> str:
    """Exploit tests run on the codes that define a built-in task's entry point."""
    res = _safe(page)
    if res is None or not res.confirmation:
        return ""
    rows = [[escape(label), escape(_lang(lang)), str(c.applicable),
             _value("confirmation", str(c.exploited), row=label, language=lang),
             str(c.resisted), str(c.not_run), str(c.flagged_and_exploited),
             str(c.exploited_not_flagged), str(c.flagged_not_exploited), str(len(c.tasks))]
            for label, langs in res.confirmation.items() for lang, c in langs.items()]
    return ("<p>Scored codes that define the entry point of a built-in task of their targeted "
            "CWE had that task's security test run against them in the sandbox: "
            "<em>exploited</em> = the exploit worked. The static figures above do not use "
            "these results.</p>"
            + table(["condition", "language", "applicable", "exploited", "resisted",
                     "no verdict", "flagged & exploited", "exploited, not flagged",
                     "flagged, not exploited", "tasks"], rows))


def _rate(cell: Cell | None) -> float | None:
    return None if cell is None or not cell.scored else cell.vulnerable / cell.scored


def transfer(page: PageInput) -> str:
    """Tables IV/V: each source's promising prompts completed by each model."""
    try:
        res = _transfer(page.documents)
    except ValidationError as err:
        return f'<p class="note">results.json is not a transfer result: {escape(str(err))}</p>'
    if res is None:
        return ""
    sources = list(res.sources)
    out = [f"<p>Each source's promising prompts completed k&#8242; = {res.k2} times by each "
           "model condition. Rows: the completing model; columns: where the prompts came "
           "from. The heatmap gives vulnerable / scored codes; the table #Code (codes "
           "written) and #Vul (scored codes with a finding).</p>",
           table(["source", "attack folder"],
                 [[escape(s), escape(f)] for s, f in res.sources.items()])]
    for lang, by_model in sorted(res.matrix.items()):
        cells = [[by_model.get(m, {}).get(s) for s in sources] for m in res.models]
        values = [[_rate(c) for c in row] for row in cells]
        rows = [[escape(m)] + [
            _value("transfer", f"{c.codes if c else 0} / {c.vulnerable if c else 0}",
                   language=lang, row=m, col=s) for s, c in zip(sources, row, strict=True)]
            for m, row in zip(res.models, cells, strict=True)]
        out += [f"<h3>{escape(_lang(lang))}</h3>",
                '<div class="scroll">' + svg.heatmap(
                    res.models, sources, values, f"{_lang(lang)}: vulnerable share of scored "
                    "codes, models x prompt sources", hatch=True) + "</div>",
                table(["model \\ source (#Code / #Vul)", *sources], rows)]
    return "".join(out)


def describe(docs: Mapping[str, Any]) -> tuple[str, str]:
    """Title and meta line of an attack or transfer folder's page."""
    res = _transfer(docs) if "sources" in docs.get("results.json", {}) else None
    if res is not None:
        return ("vulnbench prompt transferability",
                f"Models {', '.join(res.models)}; prompt sources {', '.join(res.sources)}; "
                f"languages {', '.join(sorted(res.matrix))}; k' = {res.k2}.")
    raw = docs.get("results.json", {})
    model = str(raw.get("run", {}).get("model", "?"))
    attacked: dict[str, Sequence[str]] = raw.get("attacked", {})
    methods = method_order({i.get("condition", {}).get("method", "?")
                            for i in raw.get("conditions", {}).values() if i.get("main")})
    cwes = "; ".join(f"{_lang(lang)}: {', '.join(c)}" for lang, c in sorted(attacked.items()))
    return (f"vulnbench model inversion: {model}",
            f"Model {model}; methods {', '.join(_method(m) for m in methods) or '-'}; "
            f"attacked CWEs {cwes or '-'}; languages "
            f"{', '.join(_lang(lang) for lang in sorted(attacked)) or '-'}.")


describers.register("attack")(describe)
for _name, _section in [
        ("attack-overview", Section("Attack", ATTACK, overview)),
        ("attack-totals", Section("Vulnerable codes per found CWE (Table II)", ATTACK, totals)),
        ("attack-matrix", Section("Targeted vs found CWEs (Fig. 3/6)", ATTACK, matrix)),
        ("attack-growth", Section("Growth (Fig. 4/7)", ATTACK, growth)),
        ("attack-sweeps", Section("Shot and temperature sweeps", ATTACK, sweeps)),
        ("attack-reconstruction", Section("Reconstruction of the targets (Fig. 9)", ATTACK,
                                          reconstruction)),
        ("attack-confirmation", Section("Exploit confirmation", ATTACK, confirmation)),
        ("attack-transfer", Section("Transferability of promising prompts", ATTACK,
                                    transfer))]:
    sections.register(_name)(_section)
