"""Assessment: static findings and sandboxed test outcomes combined into per-sample verdicts."""

from vulnbench.assess.verdict import counts_as_vulnerability, decide

__all__ = ["counts_as_vulnerability", "decide"]
