"""Binary classification figures (a detector, or later a model asked whether code is
vulnerable): a confusion matrix and its precision, recall and F1. Undefined figures (no
positive prediction, no positive label) are NaN, as everywhere in vulnbench, so a caller
decides how to show them instead of reading a silent 0."""

from __future__ import annotations

import math
from dataclasses import dataclass


def _ratio(num: int, den: int) -> float:
    return num / den if den else math.nan


@dataclass
class Confusion:
    """Counts of (predicted, true) pairs; positive = vulnerable."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, predicted: bool, truth: bool) -> None:
        if predicted and truth:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif truth:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        if math.isnan(p) or math.isnan(r):
            return math.nan
        return 2 * p * r / (p + r) if p + r else 0.0

    def matrix(self) -> list[list[int]]:
        """Rows: truly vulnerable, truly not; columns: flagged, not flagged."""
        return [[self.tp, self.fn], [self.fp, self.tn]]

    def figures(self) -> dict[str, float]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1}
