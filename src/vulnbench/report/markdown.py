"""Writes a run's outputs: ``results.json``, ``report.md`` and ``samples.jsonl``."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from vulnbench.report.results import MetricEntry, Results
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
    tables: dict[str, list[dict[str, float | None]]] = {}
    for cond in results.conditions:
        row: dict[str, float | None] = {"temperature": cond.temperature}
        row.update({name: entry.value for name, entry in cond.metrics.items()})
        tables.setdefault(cond.model, []).append(row)
    for rows in tables.values():
        rows.sort(key=lambda r: r["temperature"] or 0.0)
    return tables


def _table(header: list[str], rows: Iterable[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return lines


def headline_rows(results: Results) -> list[list[str]]:
    return [[c.condition] + [fmt_ci(c.metrics.get(m)) for m in HEADLINE]
            for c in results.conditions]


def render_markdown(results: Results) -> str:
    spec = results.run_spec
    out = ["# vulnbench report", "",
           f"Dataset `{spec.dataset}` ({spec.task_count} tasks, hash `{spec.dataset_hash[:12]}`), "
           f"style `{spec.style}`, n = {spec.generation.n}, policy `{spec.policy}`.", "",
           "## Headline (combined static + test verdicts; 95% bootstrap intervals over tasks)",
           ""]
    out += _table(["condition", *HEADLINE], headline_rows(results))
    ks = sorted({int(name.split("@")[1]) for c in results.conditions for name in c.metrics
                 if name.startswith("vulnerable@")})
    out += ["", "## Test-based, static-based and their harmonic mean (SALLM Table III)", ""]
    header = ["condition"] + [f"{m}@{k} {v}" for k in ks for m in ("vulnerable", "secure")
                              for v in ("test", "static", "HM")]
    rows = []
    for c in results.conditions:
        row = [c.condition]
        for k in ks:
            for m in ("vulnerable", "secure"):
                name = f"{m}@{k}"
                row += [fmt(c.test_metrics[name].value), fmt(c.static_metrics[name].value),
                        fmt(c.harmonic.get(name))]
        rows.append(row)
    out += _table(header, rows)
    for model, table in results.temperature_tables.items():
        if len(table) > 1:
            names = ["pass@1", "vulnerable@1", "secure@1", "func_sec@1"]
            out += ["", f"## {model}: metrics vs temperature", ""]
            out += _table(["temperature", *names],
                          [[f"{r['temperature']:g}"] + [fmt(r.get(n)) for n in names]
                           for r in table])
    for c in results.conditions:
        out += ["", f"## Per CWE: {c.condition}", ""]
        names = list(next(iter(c.per_cwe.values())).metrics) if c.per_cwe else []
        out += _table(["CWE", "tasks", "samples", *names],
                      [[cwe, str(r.tasks), str(r.samples)] + [fmt(r.metrics[n]) for n in names]
                       for cwe, r in c.per_cwe.items()])
    out += ["", "## Samples: compile rates before/after repair (SALLM Fig. 3) and status", ""]
    out += _table(["condition", "samples", "compiles raw", "compiles repaired", "repairs",
                   "status", "duplicates", "verdicts"],
                  [[c.condition, str(c.samples), fmt(c.compile_rate["raw"]),
                    fmt(c.compile_rate["repaired"]), _counts(c.repairs),
                    _counts(c.sample_status), _counts(c.duplicates), _counts(c.verdict_status)]
                   for c in results.conditions])
    if any(c.sample_status.get("dropped_code") for c in results.conditions):
        out += ["", "dropped_code: post-processing could not keep the code the model wrote "
                "(e.g. its own definition of the function); such samples count in n but are "
                "not assessed (neither functional nor secure). See `error` in samples.jsonl."]
    out += ["", "## Run spec", "", "```json", spec.model_dump_json(indent=2), "```", "",
            f"Stats: {results.stats.model_dump_json()}", ""]
    return "\n".join(out)


def _counts(counter: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counter.items())) or "-"


def write_samples(path: Path, store: RunStore, conditions: set[str], keys: set[str]) -> None:
    """One line per sample: raw and processed code, status, repairs and its verdict."""
    with path.open("w", encoding="utf-8") as fh:
        for condition in sorted(conditions):
            for sample in store.iter_samples(condition):
                if sample.key not in keys:
                    continue
                verdict = store.get_verdict(sample.key)
                row = sample.model_dump()
                row["verdict"] = verdict.model_dump() if verdict else None
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_outputs(out: Path, results: Results, store: RunStore, conditions: set[str],
                  keys: set[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(results.model_dump_json(indent=2) + "\n", "utf-8")
    (out / "report.md").write_text(render_markdown(results), "utf-8")
    write_samples(out / "samples.jsonl", store, conditions, keys)

