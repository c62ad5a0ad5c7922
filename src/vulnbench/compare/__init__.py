"""``vulnbench compare``: a leaderboard of models x prompt styles x temperatures over several
run folders of one dataset, with paired bootstrap differences between any two conditions."""

from __future__ import annotations

from vulnbench.compare.leaderboard import compare_folders
from vulnbench.compare.model import Comparison, Diff, Row, RunInfo
from vulnbench.compare.outputs import write_outputs

__all__ = ["Comparison", "Diff", "Row", "RunInfo", "compare_folders", "write_outputs"]
