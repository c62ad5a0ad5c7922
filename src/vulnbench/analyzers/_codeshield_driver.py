"""Runs inside the semgrep environment (where codeshield is installed), never imported by
vulnbench. Reads {"folder", "files": [{"name", "language"}]} on stdin; prints
{name: [issue, ...]} with both of codeshield's layers:

- regex: codeshield's own pattern search, file by file;
- semgrep: codeshield's bundled semgrep rules, run here in ONE semgrep process per language
  over the folder. (codeshield 1.0.1 passes ``--project-root /`` to current semgrep, which
  then scans zero files; this runs the same rules without that flag.)"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path


def main() -> None:
    here = str(Path(__file__).resolve().parent)
    sys.path[:] = [p for p in sys.path if p and Path(p).resolve() != Path(here)]
    spec = json.load(sys.stdin)
    folder = Path(spec["folder"])
    base = "codeshield.insecure_code_detector"
    insecure_patterns = importlib.import_module(f"{base}.insecure_patterns")
    oss = importlib.import_module(f"{base}.oss")
    Analyzer = importlib.import_module(f"{base}.analyzers").Analyzer
    _run_regex = importlib.import_module(f"{base}.insecure_code_detector")._run_regex
    Language = importlib.import_module(f"{base}.languages").Language
    UseCase = importlib.import_module(f"{base}.usecases").UseCase

    out: dict[str, list[dict[str, object]]] = {f["name"]: [] for f in spec["files"]}
    by_lang: dict[str, list[str]] = {}
    for f in spec["files"]:
        lang = Language(f["language"])
        by_lang.setdefault(f["language"], []).append(f["name"])
        code = (folder / f["name"]).read_text(encoding="utf-8", errors="replace")
        patterns = insecure_patterns.load(lang, Analyzer.REGEX, UseCase.CODESHIELD)
        for issue in _run_regex(code, patterns):
            out[f["name"]].append({"layer": "regex", "rule": issue.pattern_id or issue.name
                                   or "regex", "cwe": issue.cwe_id, "line": issue.line,
                                   "severity": str(issue.severity), "message": issue.description})
    semgrep = str(Path(sys.executable).parent / "semgrep")
    for lang, names in by_lang.items():
        config = oss.SEMGREP_RULE_REPO_PATH / "_generated_" / f"{lang}_codeshield.json"
        if not config.exists():
            continue
        proc = subprocess.run(
            [semgrep, "scan", "--json", "--metrics=off", "--disable-version-check", "-q",
             "--no-git-ignore", "--config", str(config), *[str(folder / n) for n in names]],
            capture_output=True, text=True, check=False, cwd=folder)
        try:
            report = json.loads(proc.stdout)
        except json.JSONDecodeError:
            print(json.dumps({"__error__": (proc.stderr or "semgrep failed")[-300:]}))
            return
        for res in report.get("results", []):
            name = Path(res.get("path", "")).name
            meta = res.get("extra", {}).get("metadata", {})
            if name in out:
                out[name].append({"layer": "semgrep", "rule": res.get("check_id", "?"),
                                  "cwe": meta.get("cwe_id") or meta.get("cwe"),
                                  "line": res.get("start", {}).get("line"),
                                  "severity": res.get("extra", {}).get("severity", "WARNING"),
                                  "message": res.get("extra", {}).get("message", "")})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
