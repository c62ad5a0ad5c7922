"""``vulnbench scan``: run the static analyzers over code that exists already (files, folders,
or a JSONL of ``{"id", "code", "language"}``), report findings per program and gate on them,
failing closed on anything that could not be analyzed (docs/scan.md)."""

from vulnbench.scan.core import (
    EXIT_FINDINGS,
    EXIT_PASSED,
    EXIT_UNSCANNED,
    EXIT_USAGE,
    Gate,
    ScanReport,
    ScanResult,
    evaluate,
    exit_code,
    run_scan,
)
from vulnbench.scan.inputs import ScanItem, collect_inputs
from vulnbench.scan.sarif import to_sarif

__all__ = ["EXIT_FINDINGS", "EXIT_PASSED", "EXIT_UNSCANNED", "EXIT_USAGE", "Gate", "ScanItem",
           "ScanReport", "ScanResult", "collect_inputs", "evaluate", "exit_code", "run_scan",
           "to_sarif"]
