"""A condition: one model, sampled at one temperature, prompted with one strategy (style and
its parameters). Every phase, store table and report keys on a condition's ``label``; the rest
of the record says what the condition is, so nothing reads a tuple back by position.

Labels read like ``model@T0.2`` when a run has one prompt strategy (what every run folder made
before strategies were a condition dimension shows) and ``model@T0.2/cwe-aware`` when it has
several."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from vulnbench.models import parse_model
from vulnbench.records import stable_hash

DEFAULT_STYLE = "code"


def condition_label(model: str, temperature: float, strategy: str | None = None) -> str:
    """``model@T0.2``, or ``model@T0.2/strategy`` when the run has several strategies."""
    base = f"{model}@T{temperature:g}"
    return f"{base}/{strategy}" if strategy else base


def strategy_name(style: str, params: Mapping[str, str]) -> str:
    """``one-shot`` or ``one-shot[k=2]``: the strategy as a label shows it."""
    if not params:
        return style
    return f"{style}[{','.join(f'{k}={v}' for k, v in sorted(params.items()))}]"


@dataclass(frozen=True)
class Condition:
    spec: str  # what the backend loads (one file for a replay folder)
    model: str  # the name results show: the spec, or the model a replay file name gives
    temperature: float
    style: str = DEFAULT_STYLE
    style_params: dict[str, str] = field(default_factory=dict, hash=False)
    # what it is made from, independent of the working directory (fixed when first made)
    source: str = ""
    # the key in every table; set by :func:`labelled` (a run's strategies decide its form)
    label: str = ""

    def __post_init__(self) -> None:
        if not self.source:
            backend, name = parse_model(self.spec)
            object.__setattr__(self, "source", f"replay:{Path(name).resolve()}"
                               if backend == "replay" else self.spec)
        if not self.label:
            object.__setattr__(self, "label", condition_label(self.model, self.temperature))

    @property
    def strategy(self) -> str:
        return strategy_name(self.style, self.style_params)

    @property
    def ident(self) -> tuple[str, float, str]:
        """What the condition is, whatever its label reads: two with one ident are one."""
        return self.model, self.temperature, self.strategy

    @property
    def id(self) -> str:
        """A short stable id of what the condition is (its label may gain a strategy)."""
        return stable_hash(list(self.ident))[:12]

    @property
    def is_replay(self) -> bool:
        return parse_model(self.spec)[0] == "replay"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], style: str = DEFAULT_STYLE) -> Condition:
        """``style``: the folder's one style, for a record written before conditions had
        their own."""
        fields = dict(data)
        fields.setdefault("style", style)
        fields["style_params"] = dict(fields.get("style_params") or {})
        return cls(**fields)


def labelled(conditions: Iterable[Condition]) -> list[Condition]:
    """The conditions with their labels: the strategy shows only when they have several."""
    conds = list(conditions)
    several = len({c.strategy for c in conds}) > 1
    return [replace(c, label=condition_label(c.model, c.temperature,
                                              c.strategy if several else None))
            for c in conds]
