"""The run pipeline: generate -> process -> assess -> score -> report, each phase re-runnable
from the run store."""

from vulnbench.pipeline.options import RunOptions
from vulnbench.pipeline.run import run

__all__ = ["RunOptions", "run"]
