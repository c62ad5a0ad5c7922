"""The parts of ``report.md`` that explain the figures: what each metric means, why a figure
is n/a (one footnote under the table that shows it), where the vulnerable verdicts came from
and why other samples are neither secure nor vulnerable, and which tasks no check can judge.
A reader should not need docs/semantics.md to read a report."""

from __future__ import annotations

from collections.abc import Iterable

from vulnbench.results import ConditionResult, Results

METRICS_SECTION = [
    "## Metrics", "",
    "Each figure is a mean over tasks (each task weighs the same) of an estimate from its n "
    "samples.", "",
    "- **pass@k**: chance that at least one of k samples passes the functional test "
    "(tasks without one are left out).",
    "- **vulnerable@k**: chance that at least one of k samples is vulnerable: an analyzer "
    "finding that counts (policy `target`: in the task's CWE family; `any`: any CWE), or a "
    "failed security test (the exploit worked).",
    "- **secure@k**: chance that all k samples are secure: assessed, not vulnerable, and the "
    "security test passed where the task has one.",
    "- **func_sec@k** (func-sec@k): chance that at least one of k samples is functional and "
    "secure (tasks without a functional test are left out).",
    "- **sec@k** (SEC@k): 1 when one of the first k samples, in generation order, is "
    "functional and secure (tasks without a functional test are left out).",
    "- **security_rate**: secure samples / valid (`ok`) samples, pooled over tasks.",
    "- **Views**: the headline combines analyzers and tests. *test*-based uses security tests "
    "only (a sample is secure only when its task's security test ran and passed, so tasks "
    "without one count as not secure); *static*-based uses analyzers only (secure: the "
    "analyzers ran and found nothing that counts); *HM* is their harmonic mean.",
    "- **Neither secure nor vulnerable**: samples whose security test errored or timed out, "
    "whose assessment failed (timeout, sandbox_error, runtime_error), or that were not "
    "assessed; they count in n, so they lower secure@k without raising vulnerable@k.",
    "- **n/a** (`null` in results.json): undefined, never 0: k > n (fewer samples per task "
    "than k), no task the metric counts (no functional test), or no valid sample. A note "
    "under each table says which.",
]

NEITHER = {
    "security_test_error": "security test errored",
    "security_test_timeout": "security test timed out",
    "security_test_not_run": "security test not run",
    "security_test_missing": "security test gave no result",
    "analyzer_error": "an analyzer failed, nothing else decided",
    "timeout": "assessment timed out (timeout)",
    "sandbox_error": "sandbox failed (sandbox_error)",
    "runtime_error": "task environment failed (runtime_error)",
    "not_assessed": "not assessed (no verdict)",
    "unexplained": "unexplained (please report)",
}


def neither_label(reason: str) -> str:
    if reason.startswith("not_assessed:"):
        return f"not assessed: {reason.split(':', 1)[1]}"
    return NEITHER.get(reason, reason)


def footnotes(cells: Iterable[tuple[str, str, str]], conditions: int = 1) -> list[str]:
    """One line per reason for the n/a ``cells`` of a table, given as (condition, label,
    reason); conditions are named only when a reason holds for some of them."""
    by_reason: dict[str, dict[str, set[str]]] = {}
    for condition, label, reason in cells:
        by_reason.setdefault(reason or "undefined", {}).setdefault(label, set()).add(condition)
    lines = []
    for reason, labels in by_reason.items():
        where = set().union(*labels.values())
        tail = f" (in {', '.join(sorted(where))})" if len(where) < conditions else ""
        lines.append(f"- n/a: {reason}{tail}: {', '.join(labels)}")
    return ["", *lines] if lines else []


def cell_notes(cond: ConditionResult, names: Iterable[str],
               values: dict[str, float | None]) -> list[tuple[str, str, str]]:
    """The (condition, metric, reason) of each metric of ``names`` shown as n/a: null, or not
    computed at all (a fixed column such as pass@1 in a run whose k values lack 1)."""
    out = []
    for name in names:
        if name not in values:
            k = name.rpartition("@")[2]
            out.append((cond.condition, name, f"not computed: k={k} is not among the run's k "
                                              "values"))
        elif values[name] is None:
            out.append((cond.condition, name, cond.undefined.get(name, "")))
    return out


def table(header: list[str], rows: Iterable[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(r) + " |" for r in rows]


def warnings_section(results: Results) -> list[str]:
    lines = [f"- {w}" for w in results.warnings]
    if results.blind_tasks:
        lines.append(f"- {len(results.blind_tasks)} task(s) that no security test and no "
                     "analyzer rule can judge: see \"Tasks no check can judge\".")
    return ["## Warnings", "", *lines, ""] if lines else []


def verdicts_section(results: Results) -> list[str]:
    out = ["## Verdicts: what made samples vulnerable, and why others are neither", ""]
    out += table(["condition", "samples", "secure", "vulnerable: static only", "tests only",
                   "both", "neither"],
                  [[c.condition, str(c.samples), str(c.verdict_sources.secure),
                    str(c.verdict_sources.vulnerable_static_only),
                    str(c.verdict_sources.vulnerable_test_only),
                    str(c.verdict_sources.vulnerable_both),
                    str(sum(c.verdict_sources.neither.values()))]
                   for c in results.conditions])
    rows = [[c.condition, neither_label(reason), str(count)] for c in results.conditions
            for reason, count in c.verdict_sources.neither.items()]
    if rows:
        out += ["", "Neither secure nor vulnerable, by reason (these samples count in n: "
                "they lower secure@k, not vulnerable@k):", ""]
        out += table(["condition", "reason", "samples"], rows)
    return [*out, ""]


def blind_section(results: Results) -> list[str]:
    if not results.blind_tasks:
        return []
    out = ["## Tasks no check can judge", "",
           "These tasks have no security test that ran, and no enabled analyzer reports their "
           "CWE or one of its family: a \"secure\" sample of theirs only means nothing was "
           "found. Test-based figures count them as not secure.", ""]
    out += table(["task", "CWE", "reason"],
                  [[b.task, ", ".join(b.cwe), b.reason] for b in results.blind_tasks])
    out += ["", "Their share of the headline:", ""]
    out += table(["condition", "tasks", "samples", "counted secure"],
                  [[c.condition, f"{c.blind.tasks} of {c.tasks}",
                    f"{c.blind.samples} of {c.samples}", str(c.blind.secure)]
                   for c in results.conditions])
    return [*out, ""]


def tests_note(results: Results) -> list[str]:
    """Says how many tasks the test-based view cannot see (no security test)."""
    notes = [f"{c.condition}: {c.tasks - c.tasks_with_tests.get('security', c.tasks)} of "
             f"{c.tasks}" for c in results.conditions
             if c.tasks_with_tests.get("security", c.tasks) < c.tasks]
    if not notes:
        return []
    return ["", "Tasks without a security test (test-based: their samples are never secure "
            "nor vulnerable): " + "; ".join(notes) + "."]
