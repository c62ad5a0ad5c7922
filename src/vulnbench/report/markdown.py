"""``report.md`` (the ``markdown`` reporter); ``write_outputs`` writes every default output."""

from __future__ import annotations

from pathlib import Path

from vulnbench.conditions import strategy_name
from vulnbench.report.explain import (
    METRICS_SECTION,
    blind_section,
    cell_notes,
    footnotes,
    table,
    tests_note,
    verdicts_section,
    warnings_section,
)
from vulnbench.report.reporters import ReportInput, write_reports
from vulnbench.results import ConditionResult, MetricEntry, Results
from vulnbench.store import RunStore

HEADLINE = ("pass@1", "vulnerable@1", "secure@1", "func_sec@1", "sec@1", "security_rate")


def fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def fmt_ci(entry: MetricEntry | None) -> str:
    if entry is None or entry.value is None:
        return "n/a"
    if entry.ci_low is None or entry.ci_high is None:
        return fmt(entry.value)
    return f"{entry.value:.3f} [{entry.ci_low:.3f}, {entry.ci_high:.3f}]"


def temperature_tables(results: Results) -> dict[str, list[dict[str, float | None]]]:
    """The tables of ``results``, each condition's strategy read from its run spec."""
    spec = results.run_spec
    strategies = {c.label: strategy_name(c.style, c.style_params) for c in spec.conditions}
    return tables_by_temperature(results.conditions,
                                 [strategies.get(c.condition, spec.style)
                                  for c in results.conditions])


def tables_by_temperature(conditions: list[ConditionResult], strategies: list[str]
                          ) -> dict[str, list[dict[str, float | None]]]:
    """Per model (per model and strategy when a run has several): one row per temperature."""
    several = len(set(strategies)) > 1
    tables: dict[str, list[dict[str, float | None]]] = {}
    for cond, strategy in zip(conditions, strategies, strict=True):
        row: dict[str, float | None] = {"temperature": cond.temperature}
        row.update({name: entry.value for name, entry in cond.metrics.items()})
        tables.setdefault(f"{cond.model}/{strategy}" if several else cond.model, []).append(row)
    for rows in tables.values():
        rows.sort(key=lambda r: r["temperature"] or 0.0)
    return tables


def headline_rows(results: Results) -> list[list[str]]:
    return [[c.condition] + [fmt_ci(c.metrics.get(m)) for m in HEADLINE]
            for c in results.conditions]


def render_markdown(results: Results) -> str:
    spec = results.run_spec
    conds = results.conditions
    out = ["# vulnbench report", "",
           f"Dataset `{spec.dataset}` ({spec.task_count} tasks, hash `{spec.dataset_hash[:12]}`), "
           f"style `{spec.style}`, n = {spec.generation.n}, policy `{spec.policy}`.", ""]
    out += warnings_section(results)
    out += ["## Headline (combined static + test verdicts; 95% bootstrap intervals over tasks)",
            ""]
    out += table(["condition", *HEADLINE], headline_rows(results))
    out += footnotes([n for c in conds for n in cell_notes(
        c, HEADLINE, {m: e.value for m, e in c.metrics.items()})], len(conds))
    out += ["", *METRICS_SECTION, ""]
    out += verdicts_section(results)
    out += blind_section(results)
    ks = sorted({int(name.split("@")[1]) for c in conds for name in c.metrics
                 if name.startswith("vulnerable@")})
    out += ["## Test-based, static-based and their harmonic mean (SALLM Table III)", ""]
    header = ["condition"] + [f"{m}@{k} {v}" for k in ks for m in ("vulnerable", "secure")
                              for v in ("test", "static", "HM")]
    rows, notes = [], []
    for c in conds:
        row = [c.condition]
        for k in ks:
            for m in ("vulnerable", "secure"):
                name = f"{m}@{k}"
                cells = (c.test_metrics[name].value, c.static_metrics[name].value,
                         c.harmonic.get(name))
                row += [fmt(v) for v in cells]
                if None in cells:
                    notes.append((c.condition, name, c.undefined.get(name, "")))
        rows.append(row)
    out += table(header, rows) + footnotes(notes, len(conds)) + tests_note(results)
    for model, temps in results.temperature_tables.items():
        if len(temps) > 1:
            names = ["pass@1", "vulnerable@1", "secure@1", "func_sec@1"]
            out += ["", f"## {model}: metrics vs temperature", ""]
            out += table(["temperature", *names],
                          [[f"{r['temperature']:g}"] + [fmt(r.get(n)) for n in names]
                           for r in temps])
            by_t = {c.temperature: c for c in conds if c.model == model}
            out += footnotes([n for r in temps if r["temperature"] in by_t
                              for n in cell_notes(by_t[r["temperature"] or 0.0], names, r)],
                             len(temps))
    for c in conds:
        out += ["", f"## Per CWE: {c.condition}", ""]
        if not c.per_cwe:
            out += ["No task of this condition names a CWE (utility tasks such as HumanEval "
                    "have none); the figures above cover them."]
            continue
        names = list(next(iter(c.per_cwe.values())).metrics)
        out += table(["CWE", "tasks", "samples", *names],
                      [[cwe, str(r.tasks), str(r.samples)] + [fmt(r.metrics[n]) for n in names]
                       for cwe, r in c.per_cwe.items()])
        out += footnotes(_cwe_notes(c, names))
    out += ["", "## Samples: compile rates before/after repair (SALLM Fig. 3) and status", ""]
    out += table(["condition", "samples", "compiles raw", "compiles repaired", "repairs",
                   "status", "duplicates", "verdicts"],
                  [[c.condition, str(c.samples), fmt(c.compile_rate["raw"]),
                    fmt(c.compile_rate["repaired"]), _counts(c.repairs),
                    _counts(c.sample_status), _counts(c.duplicates), _counts(c.verdict_status)]
                   for c in conds])
    out += footnotes([(c.condition, "compile rates", "no samples") for c in conds
                      if c.compile_rate["raw"] is None], len(conds))
    if any(c.sample_status.get("dropped_code") for c in conds):
        out += ["", "dropped_code: post-processing could not keep the code the model wrote "
                "(e.g. its own definition of the function); such samples count in n but are "
                "not assessed (neither functional nor secure). See `error` in samples.jsonl."]
    out += ["", "## Run spec", "", "```json", spec.model_dump_json(indent=2), "```", "",
            f"Stats: {results.stats.model_dump_json()}", ""]
    return "\n".join(out)


def _cwe_notes(cond: ConditionResult, names: list[str]) -> list[tuple[str, str, str]]:
    """n/a notes of a per-CWE table: a metric alone when every row is n/a for one reason,
    else the metric with the CWEs it is n/a for."""
    where: dict[tuple[str, str], list[str]] = {}
    for cwe, row in cond.per_cwe.items():
        for name in names:
            if row.metrics[name] is None:
                where.setdefault((name, row.undefined.get(name, "")), []).append(cwe)
    return [(cond.condition, name if len(cwes) == len(cond.per_cwe)
             else f"{name} ({', '.join(cwes)})", reason)
            for (name, reason), cwes in where.items()]


def _counts(counter: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counter.items())) or "-"


def write_outputs(out: Path, results: Results, store: RunStore, conditions: set[str],
                  keys: set[str]) -> None:
    """results.json, report.md and samples.jsonl through the reporter registry."""
    write_reports(out, ReportInput(results, store, conditions, keys, out))
