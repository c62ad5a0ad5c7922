"""Post-processing of raw model output: SALLM's repair rules, syntax validation,
exact and fuzzy de-duplication."""

from vulnbench.postprocess.dedup import DuplicateInfo, find_duplicates, normalize_code
from vulnbench.postprocess.repair import RepairResult, repair
from vulnbench.postprocess.syntax import check_syntax

__all__ = ["DuplicateInfo", "RepairResult", "check_syntax", "find_duplicates", "normalize_code",
           "repair"]
