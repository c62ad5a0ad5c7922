"""vulnbench: measure, attack and harden the security of LLM-written code."""

__version__ = "0.1.0"
