"""Sampled-generation metrics: per-task estimators and task-level aggregates."""

from vulnbench.metrics.aggregate import (
    METRICS,
    Metric,
    MetricValue,
    TaskCounts,
    bootstrap_ci,
    bootstrap_security_rate_ci,
    mean_metric,
    metric_table,
    per_cwe,
    per_task_estimates,
    security_rate_of,
    undefined_reasons,
)
from vulnbench.metrics.estimators import (
    func_sec_at_k,
    harmonic_mean,
    pass_at_k,
    sec_at_k,
    secure_at_k,
    security_rate,
    vulnerable_at_k,
)

__all__ = [
    "METRICS",
    "Metric",
    "MetricValue",
    "TaskCounts",
    "bootstrap_ci",
    "bootstrap_security_rate_ci",
    "func_sec_at_k",
    "harmonic_mean",
    "mean_metric",
    "metric_table",
    "pass_at_k",
    "per_cwe",
    "per_task_estimates",
    "sec_at_k",
    "secure_at_k",
    "security_rate",
    "security_rate_of",
    "undefined_reasons",
    "vulnerable_at_k",
]
