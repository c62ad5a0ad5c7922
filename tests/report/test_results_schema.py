"""The shipped JSON Schema of results.json is the one the code produces."""

from __future__ import annotations

from importlib import resources

from vulnbench.results import results_schema


def test_shipped_schema_is_current() -> None:
    shipped = resources.files("vulnbench").joinpath("schemas", "results.schema.json")
    assert shipped.read_text("utf-8") == results_schema(), (
        "regenerate: vulnbench schema --out src/vulnbench/schemas/results.schema.json")
