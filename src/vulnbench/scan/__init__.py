"""``vulnbench scan``: run the static analyzers over code that exists already (files, folders,
or a JSONL of ``{"id", "code", "language"}``) and report findings per program."""

from vulnbench.scan.core import (
    ScanItem,
    ScanReport,
    ScanResult,
    collect_inputs,
    exit_code,
    run_scan,
)
from vulnbench.scan.sarif import to_sarif

__all__ = ["ScanItem", "ScanReport", "ScanResult", "collect_inputs", "exit_code", "run_scan",
           "to_sarif"]
