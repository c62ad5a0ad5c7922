"""report.html of a large run: chunked sample detail vs all inline, and inline SVG charts vs
a JS chart library.

(a) A synthetic run folder (default 30,000 samples: 10 conditions x 300 tasks x n samples,
    tasks cloned from the demo dataset over 60 CWEs) is written into a real RunStore: samples
    with ~1-3 KB code and a slightly longer raw output, verdicts with a few findings and tests,
    generations and their prompts; results.json is scored from the store (few bootstrap
    repeats). No model, no sandbox. For each mode (chunked: the product default; inline: every
    sample's detail inside the page, forced with VULNBENCH_HTML_INLINE_MAX) it measures, as
    medians over --reps: time to write report.html (+ chunk files), the page size and the size
    of report_files/, and in headless Chromium (fresh context each repeat): time to the load
    event, time until the first page of the sample browser is listed, and time to open one
    sample (its chunk loaded by a script element). Both modes are forced at any size, so
    runs at a few sizes (--samples) show where the inline limit belongs.
(b) Plots: a 10 conditions x 60 CWEs heatmap and a line chart, as the product's inline SVG
    (vulnbench.report.html.svg) vs Chart.js + chartjs-chart-matrix fetched with ``npm pack``
    into a temp dir (never into the product): bytes added to the run folder, build time and
    browser render time. Without npm it says so and measures SVG only.

    python benchmarks/html_report.py [--samples 30000] [--reps 3] [--chunk 500] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vulnbench.datasets import load_dataset
from vulnbench.pipeline.rescore import (
    ScoredCondition,
    ScoreOptions,
    ScoringRecord,
    results_of,
    save_scoring,
)
from vulnbench.records import (
    Completion,
    ConditionRecord,
    Finding,
    Generation,
    GenerationConfig,
    ModelSpec,
    Prompt,
    RunSpec,
    Sample,
    Task,
    TestOutcome,
    Verdict,
)
from vulnbench.report.html import browser, svg
from vulnbench.report.html.browser import ASSETS, INLINE_ENV, INLINE_MAX
from vulnbench.report.reporters import ReportInput, write_reports
from vulnbench.results import Stats
from vulnbench.store import RunStore

CHROMIUM = "/usr/lib/chromium/chromium"
CONDITIONS, TASKS, CWES = 10, 300, 60


def _code(rng: random.Random, task: Task) -> str:
    """A plausible 1-3 KB program: the task's prompt and a body of padded lines."""
    lines = [task.code_prompt.rstrip()]
    size = rng.randint(1000, 3000)
    while sum(len(x) + 1 for x in lines) < size:
        lines.append(f"    value_{len(lines)} = compute(value_{len(lines) - 1}, "
                     f"'{rng.getrandbits(48):012x}')  # step {len(lines)}")
    return "\n".join(lines) + "\n"


def build_run(out: Path, samples: int, seed: int = 0) -> ReportInput:
    """A run folder with ``samples`` samples and its scored results (see the module doc)."""
    rng = random.Random(seed)
    demo = load_dataset("demo").tasks
    cwes = [f"CWE-{c}" for c in (20, 22, 78, 79, 89, 94, 95, 117, 209, 250, 259, 269, 285,
                                  295, 306, 312, 319, 321, 326, 327, 328, 330, 331, 338, 352,
                                  377, 400, 434, 441, 454, 463, 477, 489, 502, 521, 601,
                                  605, 611, 614, 639, 643, 662, 668, 703, 732, 759, 760,
                                  776, 798, 827, 835, 841, 914, 916, 918, 941, 943, 1004,
                                  1204, 1333)][:CWES]
    tasks = [demo[i % len(demo)].model_copy(update={"id": f"synthetic-{i:03d}",
                                                    "cwe": [cwes[i % CWES]]})
             for i in range(TASKS)]
    n = max(1, -(-samples // (CONDITIONS * TASKS)))
    store = RunStore(out / "run.sqlite")
    conditions, models = [], []
    for c in range(CONDITIONS):
        model, temperature = f"model-{c // 2}", (0.0, 0.8)[c % 2]
        label = f"{model}@T{temperature:g}"
        models.append(model)
        keys: list[str] = []
        quota = samples // CONDITIONS + (c < samples % CONDITIONS)
        gens, prompts, rows, verdicts = [], {}, [], []
        for task in tasks:
            prompt = Prompt(task_id=task.id, style="code", kind="completion",
                            text=task.code_prompt + f"\n# condition {c}\n")
            prompts[prompt.hash] = prompt
            for i in range(n):
                if len(keys) >= quota:
                    break
                key = f"{label}/{task.id}/{i}"
                code = _code(rng, task)
                raw = f"Here is the code:\n```python\n{code}```\nIt handles the input.\n"
                vulnerable = rng.random() < 0.4
                lines = code.count("\n")
                findings = [Finding(tool="bandit", rule_id=f"B{600 + j}", cwe=task.cwe,
                                    line=rng.randint(1, lines), message="possible injection")
                            for j in range(rng.randint(0, 3))]
                tests = [TestOutcome(suite="functional", name=f"test_case_{j}", status="passed")
                         for j in range(2)] + [TestOutcome(
                             suite="security", name="test_exploit",
                             status="failed" if vulnerable else "passed",
                             detail="AssertionError: payload reached the query" * vulnerable)]
                evidence = [f"static:bandit:{f.rule_id}:{','.join(f.cwe)}:line {f.line}"
                            for f in findings if vulnerable]
                evidence += ["test:security:test_exploit failed"] * vulnerable
                rows.append(Sample(key=key, condition=label, task_id=task.id, sample_index=i,
                                   raw=raw, code=code, status="ok"))
                verdicts.append(Verdict(key=key, status="assessed", functional=True,
                                        static_vulnerable=vulnerable, test_vulnerable=vulnerable,
                                        vulnerable=vulnerable, secure=not vulnerable,
                                        evidence=evidence, findings=findings, tests=tests))
                gens.append(Generation(key=key, condition=label, model=model,
                                       temperature=temperature, task_id=task.id, sample_index=i,
                                       prompt_hash=prompt.hash, completion=Completion(text=raw),
                                       seconds=0.1))
                keys.append(key)
        store.put_prompts(prompts.values())
        store.put_samples(rows)
        with store.db:
            store.db.executemany("INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?)",
                                 [(v.key, "fp", v.model_dump_json()) for v in verdicts])
            store.db.executemany("INSERT OR REPLACE INTO generations VALUES (?, ?, ?, ?, ?)",
                                 [(g.key, g.condition, g.task_id, g.sample_index,
                                   g.model_dump_json()) for g in gens])
        conditions.append(ScoredCondition(condition=ConditionRecord(
            label=label, id=label, model=model, spec=model, temperature=temperature,
            style="code"), keys=keys))
    spec = RunSpec(vulnbench_version="bench", git_revision="x", dataset="synthetic",
                   dataset_hash="0" * 64, task_count=TASKS,
                   models=[ModelSpec(id=m, backend="synthetic", name=m)
                           for m in dict.fromkeys(models)],
                   temperatures=[0.0, 0.8], style="code", generation=GenerationConfig(n=n),
                   seed=seed, policy="target", dedup="none", analyzers=["bandit"],
                   conditions=[c.condition for c in conditions])
    store.save_spec(spec)
    record = ScoringRecord(dataset="synthetic", conditions=conditions,
                           options=ScoreOptions(ks=[1], bootstrap_reps=20, analyzers=["bandit"]))
    save_scoring(store, tasks, record)
    results = results_of(store, record, tasks, spec, Stats(
        new_generations=0, reused_generations=0, assessed=0, reused_verdicts=0, seconds=0))
    return ReportInput(results, store, {c.condition.label for c in conditions},
                       {k for c in conditions for k in c.keys}, out)


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def write_report(data: ReportInput, inline: bool) -> float:
    """Write report.html with the detail forced inline or forced into chunk files (the
    product picks by INLINE_MAX; both modes are measured at every size to choose it)."""
    os.environ[INLINE_ENV] = str(10**9 if inline else 0)
    start = time.perf_counter()
    assert data.folder is not None
    write_reports(data.folder, data, ["html"])
    return time.perf_counter() - start


def browser_times(pw: Any, page_path: Path) -> dict[str, float]:
    """Seconds to the load event, to the first listed page and to one opened sample."""
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
    try:
        page = browser.new_context(viewport={"width": 1366, "height": 900},
                                   offline=True).new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        start = time.perf_counter()
        page.goto(page_path.resolve().as_uri(), wait_until="load", timeout=120_000)
        loaded = time.perf_counter() - start
        page.wait_for_selector("#vb-list details", timeout=120_000)
        listed = time.perf_counter() - start
        summaries = page.query_selector_all("#vb-list details summary")
        start = time.perf_counter()
        summaries[len(summaries) // 2].click()
        page.wait_for_selector('.detail[data-ready="1"] pre.code', timeout=60_000)
        opened = time.perf_counter() - start
        if errors:
            raise RuntimeError(f"page errors: {errors}")
        return {"load": loaded, "listed": listed, "open": opened}
    finally:
        browser.close()


def median(values: list[float]) -> float:
    return statistics.median(values)


def bench_report(data: ReportInput, reps: int, pw: Any) -> dict[str, dict[str, float]]:
    assert data.folder is not None
    out: dict[str, dict[str, float]] = {}
    for mode in ("chunked", "inline"):
        runs: dict[str, list[float]] = {"write": [], "load": [], "listed": [], "open": []}
        for _ in range(reps):
            runs["write"].append(write_report(data, inline=mode == "inline"))
            for name, value in browser_times(pw, data.folder / "report.html").items():
                runs[name].append(value)
        out[mode] = {k: median(v) for k, v in runs.items()}
        out[mode]["html_mb"] = (data.folder / "report.html").stat().st_size / 1e6
        out[mode]["assets_mb"] = folder_size(data.folder / ASSETS) / 1e6
    return out


def chart_data(rng: random.Random) -> tuple[list[str], list[str], list[list[float | None]],
                                             list[tuple[float, float | None, float | None,
                                                        float | None]]]:
    rows = [f"model-{c // 2}@T{(0.0, 0.8)[c % 2]:g}" for c in range(CONDITIONS)]
    cols = [f"CWE-{100 + j}" for j in range(CWES)]
    grid: list[list[float | None]] = [[None if rng.random() < 0.05 else rng.random()
                                       for _ in cols] for _ in rows]
    line: list[tuple[float, float | None, float | None, float | None]] = [
        (t / 10, v, max(0.0, v - 0.1), min(1.0, v + 0.1))
            for t in range(0, 11, 2) for v in [rng.random()]]
    return rows, cols, grid, line


def npm_library(tmp: Path) -> list[Path] | None:
    """chart.js and chartjs-chart-matrix UMD files from ``npm pack``; None without npm."""
    if shutil.which("npm") is None:
        return None
    try:
        subprocess.run(["npm", "pack", "chart.js@4", "chartjs-chart-matrix@3"], cwd=tmp,
                       check=True, capture_output=True, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return None
    files = []
    for tgz, member in (("chart.js-", "package/dist/chart.umd.min.js"),
                        ("chartjs-chart-matrix-", "package/dist/chartjs-chart-matrix.min.js")):
        archive = next(tmp.glob(tgz + "*.tgz"))
        with tarfile.open(archive) as tar:
            source = tar.extractfile(member)
            assert source is not None
            path = tmp / Path(member).name
            path.write_bytes(source.read())
            files.append(path)
    return files


JS_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<script src="charts/chart.umd.min.js"></script>
<script src="charts/chartjs-chart-matrix.min.js"></script></head><body>
<div style="width:2900px;height:560px"><canvas id="heat"></canvas></div>
<div style="width:420px;height:200px"><canvas id="line"></canvas></div>
<script>
const d=JSON.parse(document.getElementById('d').textContent);
new Chart(document.getElementById('heat'),{type:'matrix',options:{animation:false,
 scales:{x:{type:'category',labels:d.cols},y:{type:'category',labels:d.rows}}},
 data:{datasets:[{data:d.cells,width:()=>44,height:()=>44,
 backgroundColor:c=>c.raw.v===null?'#ddd':'rgba(25,110,60,'+c.raw.v+')'}]}});
new Chart(document.getElementById('line'),{type:'line',options:{animation:false},
 data:{labels:d.line.map(p=>p[0]),datasets:[{data:d.line.map(p=>p[1])}]}});
document.body.dataset.drawn='1';
</script></body></html>"""


def bench_plots(tmp: Path, reps: int, pw: Any) -> dict[str, dict[str, float]]:
    rows, cols, grid, line = chart_data(random.Random(1))
    results: dict[str, dict[str, float]] = {}

    def svg_build(folder: Path) -> None:
        body = svg.heatmap(rows, cols, grid, "heatmap") + svg.line(line, "line")
        (folder / "plot.html").write_text(
            f'<!DOCTYPE html><html><body>{body}<script>document.body.dataset.drawn="1"'
            f"</script></body></html>")

    library = npm_library(tmp)

    def js_build(folder: Path) -> None:
        assert library is not None
        (folder / "charts").mkdir(exist_ok=True)
        for path in library:
            shutil.copy(path, folder / "charts" / path.name)
        cells = [{"x": c, "y": r, "v": grid[i][j]} for i, r in enumerate(rows)
                 for j, c in enumerate(cols)]
        payload = json.dumps({"rows": rows, "cols": cols, "cells": cells, "line": line})
        (folder / "plot.html").write_text(JS_PAGE.replace(
            "<script>\nconst d", f'<script type="application/json" id="d">{payload}</script>'
            "<script>\nconst d"))

    builders: dict[str, Callable[[Path], None]] = {"inline SVG": svg_build}
    if library is not None:
        builders["Chart.js + matrix (npm)"] = js_build
    for name, build in builders.items():
        times: dict[str, list[float]] = {"build": [], "render": []}
        for rep in range(reps):
            folder = tmp / f"plot-{len(results)}-{rep}"
            folder.mkdir()
            start = time.perf_counter()
            build(folder)
            times["build"].append(time.perf_counter() - start)
            browser = pw.chromium.launch(executable_path=CHROMIUM,
                                         args=["--no-sandbox", "--disable-gpu"])
            try:
                page = browser.new_context(offline=True).new_page()
                start = time.perf_counter()
                page.goto((folder / "plot.html").as_uri(), wait_until="load")
                page.wait_for_selector("body[data-drawn]")
                page.evaluate("() => new Promise(r => requestAnimationFrame(() => r(0)))")
                times["render"].append(time.perf_counter() - start)
            finally:
                browser.close()
        results[name] = {k: median(v) for k, v in times.items()}
        results[name]["kb"] = folder_size(folder) / 1e3
    return results if library is not None else {**results, "note": {"npm unavailable": 0.0}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=int, default=30_000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="build the run folder here and keep it")
    ap.add_argument("--chunk", type=int, default=browser.CHUNK, help="samples per chunk file")
    args = ap.parse_args()
    browser.CHUNK = args.chunk
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        out = args.keep or tmp / "run"
        start = time.perf_counter()
        data = build_run(out, args.samples)
        print(f"synthetic run: {len(data.keys)} samples, store "
              f"{(out / 'run.sqlite').stat().st_size / 1e6:.1f} MB, built in "
              f"{time.perf_counter() - start:.1f} s; inline limit {INLINE_MAX} samples, "
              f"{args.chunk} samples per chunk")
        with sync_playwright() as pw:
            report = bench_report(data, args.reps, pw)
            plots = bench_plots(tmp, args.reps, pw)
        data.store.close()
    print(f"\nreport.html, {len(data.keys)} samples, medians of {args.reps} (seconds, MB)")
    cols = ("write", "html_mb", "assets_mb", "load", "listed", "open")
    print(f"{'mode':<10}" + "".join(f"{c:>11}" for c in cols))
    for mode, row in report.items():
        print(f"{mode:<10}" + "".join(f"{row[c]:>11.3f}" for c in cols))
    ratio = {c: report["inline"][c] / report["chunked"][c] if report["chunked"][c] else 0.0
             for c in cols}
    print(f"{'inline/ch':<10}" + "".join(f"{ratio[c]:>11.2f}" for c in cols))
    print(f"\nplots: {CONDITIONS}x{CWES} heatmap + line chart, medians of {args.reps}")
    print(f"{'approach':<26}{'build s':>10}{'render s':>10}{'folder KB':>11}")
    for name, row in plots.items():
        if name == "note":
            print("npm unavailable: SVG only")
            continue
        print(f"{name:<26}{row['build']:>10.4f}{row['render']:>10.3f}{row['kb']:>11.1f}")
    if len(plots) == 2 and "note" not in plots:
        (svg_name, s), (js_name, j) = plots.items()
        win = svg_name if s["render"] <= j["render"] and s["kb"] <= j["kb"] else "neither outright"
        print(f"{js_name}/{svg_name}: {j['kb'] / s['kb']:.2f}x bytes, "
              f"{j['render'] / s['render']:.2f}x render time; wins: {win} (the SVG is drawn "
              "at build time, so the page needs no library, runs no script to show it, prints "
              "and stays one file)")


if __name__ == "__main__":
    main()
