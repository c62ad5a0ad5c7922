"""Confusion-matrix figures: counts land in the right cell, and undefined figures are NaN."""

from __future__ import annotations

import math

import pytest

from vulnbench.metrics.classification import Confusion


def test_counts_and_figures() -> None:
    c = Confusion()
    pairs = [(True, True)] * 3 + [(True, False)] + [(False, True)] * 2 + [(False, False)] * 4
    for predicted, truth in pairs:
        c.add(predicted, truth)
    assert c.matrix() == [[3, 2], [1, 4]]
    assert c.precision == pytest.approx(3 / 4) and c.recall == pytest.approx(3 / 5)
    assert c.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)


def test_undefined_figures_are_nan_not_zero() -> None:
    c = Confusion(tn=5)
    assert all(math.isnan(v) for v in c.figures().values())
    c.add(False, True)  # a miss: recall 0, precision still undefined
    assert c.recall == 0.0 and math.isnan(c.precision) and math.isnan(c.f1)
    c.add(True, False)
    assert c.precision == 0.0 and c.f1 == 0.0
