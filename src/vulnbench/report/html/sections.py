"""The sections of ``report.html`` for generation runs, registered in page order. They show
the same figures under the same names as ``report.md``; every value a test or reader may check
sits in an element with ``data-metric``, ``data-condition`` and ``data-view`` (metrics,
static_metrics or test_metrics: the results.json field it comes from)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from html import escape

from vulnbench.conditions import strategy_name
from vulnbench.records import Verdict
from vulnbench.report.html import svg
from vulnbench.report.html.browser import render_browser
from vulnbench.report.html.page import PageInput, Section, sections
from vulnbench.report.markdown import HEADLINE
from vulnbench.report.reporters import ReportInput
from vulnbench.results import ConditionResult, MetricEntry

GENERATE = frozenset({"generate"})
VIEWS = (("metrics", "combined"), ("static_metrics", "static"), ("test_metrics", "test"))
TEMPERATURE_METRICS = ("pass@1", "vulnerable@1", "secure@1", "func_sec@1")


def fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """An HTML table; ``header`` is escaped here, cells arrive as HTML already."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def metric_cell(cond: ConditionResult, view: str, name: str) -> str:
    """A value with its interval; an undefined one says why in its tooltip."""
    entry: MetricEntry | None = getattr(cond, view).get(name)
    return entry_cell(entry, name, cond.condition, view, cond.undefined.get(name, "undefined"))


def entry_cell(entry: MetricEntry | None, name: str, condition: str, view: str,
               why: str) -> str:
    """``metric_cell`` of any labelled entry (e.g. a ``vulnbench compare`` row)."""
    if entry is None:
        return '<span class="note">-</span>'
    attrs = (f'data-metric="{escape(name)}" data-condition="{escape(condition)}" '
             f'data-view="{view}"')
    if entry.value is None:
        return f'<span {attrs} title="{escape(why)}">n/a</span>'
    ci = ""
    if entry.ci_low is not None and entry.ci_high is not None:
        ci = f' <span class="ci">[{entry.ci_low:.3f}, {entry.ci_high:.3f}]</span>'
    return f"<span {attrs}>{entry.value:.3f}</span>{ci}"


def headline(page: PageInput) -> str:
    data = page.need_run()
    conds = data.results.conditions
    rows = [[escape(c.condition)] + [metric_cell(c, "metrics", m) for m in HEADLINE]
            for c in conds]
    chart = svg.bars([(c.condition, *_entry(c.metrics.get("security_rate"))) for c in conds],
                     "security_rate per condition with 95% interval")
    warnings = "".join(f"<li>{escape(w)}</li>" for w in data.results.warnings)
    return ("<p>Combined static + test verdicts; 95% bootstrap intervals over tasks in "
            "brackets.</p>" + table(["condition", *HEADLINE], rows)
            + "<h3>security_rate</h3>" + chart
            + (f"<h3>Dataset warnings</h3><ul>{warnings}</ul>" if warnings else ""))


def _entry(entry: MetricEntry | None) -> tuple[float | None, float | None, float | None]:
    return (None, None, None) if entry is None else (entry.value, entry.ci_low, entry.ci_high)


def views(page: PageInput) -> str:
    data = page.need_run()
    """Combined against static-only and test-only verdicts: where the two checks disagree."""
    rows = []
    for c in data.results.conditions:
        for view, label in VIEWS:
            names = [m for m in HEADLINE if m in getattr(c, view)]
            cells = [metric_cell(c, view, m) if m in names else "-" for m in HEADLINE]
            rows.append([escape(c.condition), label, *cells])
    return table(["condition", "verdicts", *HEADLINE], rows)


def _groups(data: ReportInput) -> dict[str, list[ConditionResult]]:
    """Conditions per model (and strategy when a run has several), as the temperature
    tables of results.json group them."""
    spec = data.results.run_spec
    strategies = {c.label: strategy_name(c.style, c.style_params) for c in spec.conditions}
    conds = data.results.conditions
    names = [strategies.get(c.condition, spec.style) for c in conds]
    several = len(set(names)) > 1
    groups: dict[str, list[ConditionResult]] = {}
    for c, strategy in zip(conds, names, strict=True):
        groups.setdefault(f"{c.model}/{strategy}" if several else c.model, []).append(c)
    return {k: sorted(v, key=lambda c: c.temperature) for k, v in groups.items()
            if len({c.temperature for c in v}) > 1}


def temperature(page: PageInput) -> str:
    data = page.need_run()
    groups = _groups(data)
    if not groups:
        return "<p>Each model ran at one temperature.</p>"
    out = []
    for name, conds in groups.items():
        rows = [[f"{c.temperature:g}"] + [metric_cell(c, "metrics", m)
                                          for m in TEMPERATURE_METRICS] for c in conds]
        points = [(c.temperature, *_entry(c.metrics.get("secure@1"))) for c in conds]
        out += [f"<h3>{escape(name)}</h3>", table(["temperature", *TEMPERATURE_METRICS], rows),
                svg.line(points, f"{name}: secure@1 vs temperature, 95% band")]
    return "".join(out)


def per_cwe(page: PageInput) -> str:
    data = page.need_run()
    conds = data.results.conditions
    cwes = sorted({cwe for c in conds for cwe in c.per_cwe},
                  key=lambda s: (len(s), s))  # CWE-22 before CWE-89 before CWE-502
    if not cwes:
        return ("<p>No task names a CWE (utility tasks such as HumanEval have none); the "
                "figures above cover them.</p>")
    values = [[c.per_cwe[w].metrics.get("secure@1") if w in c.per_cwe else None for w in cwes]
              for c in conds]
    out = ["<h3>secure@1, conditions x CWEs</h3>",
           '<div class="scroll">'
           + svg.heatmap([c.condition for c in conds], cwes, values, "secure@1 per CWE")
           + "</div>"]
    for c in conds:
        if not c.per_cwe:
            continue
        names = list(next(iter(c.per_cwe.values())).metrics)
        rows = [[escape(cwe), str(r.tasks), str(r.samples)]
                + [_cwe_value(r.metrics[n], r.undefined.get(n)) for n in names]
                for cwe, r in c.per_cwe.items()]
        out += [f"<h3>{escape(c.condition)}</h3>",
                table(["CWE", "tasks", "samples", *names], rows)]
    return "".join(out)


def _cwe_value(value: float | None, why: str | None) -> str:
    return f'<span title="{escape(why or "undefined")}">n/a</span>' if value is None \
        else fmt(value)


def samples(page: PageInput) -> str:
    data = page.need_run()
    """Sample status and compile rates before/after repair (SALLM Fig. 3)."""
    rows = [[escape(c.condition), str(c.samples), fmt(c.compile_rate.get("raw")),
             fmt(c.compile_rate.get("repaired")), _counts(c.repairs), _counts(c.sample_status),
             _counts(c.duplicates), _counts(c.verdict_status)] for c in data.results.conditions]
    return table(["condition", "samples", "compiles raw", "compiles repaired", "repairs",
                  "status", "duplicates", "verdicts"], rows)


def _counts(counter: dict[str, int]) -> str:
    return escape(", ".join(f"{k} {v}" for k, v in sorted(counter.items())) or "-")


AGREEMENT = ("both", "static only", "tests only", "static, no test verdict",
             "tests, no static verdict", "not flagged")


def security_tests_say(verdict: Verdict) -> bool | None:
    """What the security tests decided: True (an exploit worked), False (every one passed),
    None (no security test, or one ended without a decision: an error, a timeout)."""
    if verdict.test_vulnerable:
        return True
    security = [t for t in verdict.tests if t.suite == "security"]
    return False if security and all(t.status == "passed" for t in security) else None


def agreement_counts(data: ReportInput) -> dict[str, Counter[str]]:
    """Per condition, the assessed samples by which verdict source called them vulnerable:
    both, one alone while the other said not vulnerable, one while the other could not
    decide (no test for the CWE or a test that ended in an error; no analyzer covering it),
    or neither."""
    out: dict[str, Counter[str]] = {c: Counter() for c in sorted(data.conditions)}
    for sample, verdict in data.counted():
        if verdict is None or sample.status != "ok":
            continue
        s, t = verdict.static_vulnerable, security_tests_say(verdict)
        if s and t:
            name = "both"
        elif s:
            name = "static only" if t is False else "static, no test verdict"
        elif t:
            name = "tests only" if s is False else "tests, no static verdict"
        else:
            name = "not flagged"
        out[sample.condition][name] += 1
    return out


def agreement(page: PageInput) -> str:
    """Static vs test verdicts (SALLM's two sources): how often each alone caught a flaw."""
    counts = agreement_counts(page.need_run())
    rows = [[escape(cond), str(sum(c.values()))] + [
        f'<span data-agreement="{escape(name)}" data-condition="{escape(cond)}">'
        f"{c[name]}</span>" for name in AGREEMENT] for cond, c in counts.items()]
    return ("<p>Assessed samples by the verdict sources that called them vulnerable. "
            "&quot;static only&quot;: an analyzer flagged it and the security tests passed; "
            "&quot;no test verdict&quot;: the task has no security test, or one ended without "
            "a decision (an error: e.g. the program does not do what the exploit needs). Large "
            "one-source counts show where one check misses what the other sees.</p>"
            + table(["condition", "assessed", *AGREEMENT], rows))


def run_spec(page: PageInput) -> str:
    data = page.need_run()
    stats = data.results.stats.model_dump_json()
    return (f"<pre>{escape(data.results.run_spec.model_dump_json(indent=2))}</pre>"
            f'<p class="note">Stats: {escape(stats)}</p>')


sections.register("headline")(Section("Headline", GENERATE, headline))
sections.register("views")(Section("Combined, static and test verdicts", GENERATE, views))
sections.register("temperature")(Section("Metrics vs temperature", GENERATE, temperature))
sections.register("cwe")(Section("Per CWE", GENERATE, per_cwe))
sections.register("agreement")(Section("Static vs test verdicts", GENERATE, agreement))
sections.register("samples")(Section("Sample status and compile rates", GENERATE, samples))
sections.register("browser")(Section("Sample browser", GENERATE, render_browser))
sections.register("spec")(Section("Run spec", GENERATE, run_spec))
