"""What a run was asked to do (from the CLI or the Python API), checked before anything is
written: a bad value is one line naming the option and its accepted range, never a traceback
from deep inside a run nor a half-made run folder."""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from vulnbench.analyzers.runner import DEFAULT_ANALYZERS  # the one default policy
from vulnbench.errors import VulnbenchError
from vulnbench.models.base import BackendOptions

MAX_SEED = 2**31 - 1  # llama.cpp takes a 32-bit seed, and sample i uses seed + i


class OptionError(VulnbenchError, ValueError):
    """An option outside its accepted range; exits 2 like a command-line usage error."""

    exit_code = 2


def _shown(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else repr(value)


def _require(ok: bool, option: str, accepted: str, got: object) -> None:
    if not ok:
        raise OptionError(f"{option} must be {accepted}, got {_shown(got)}")


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(
        value)


def _int_at_least(value: object, low: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= low


def validate_backend(opts: BackendOptions) -> None:
    """Range checks of the backend settings, named as the CLI options."""
    _require(_int_at_least(opts.concurrency, 1), "--concurrency", "an integer >= 1",
             opts.concurrency)
    _require(_number(opts.timeout) and opts.timeout > 0, "--timeout",
             "a number of seconds > 0", opts.timeout)
    _require(_int_at_least(opts.max_retries, 0), "--max-retries", "an integer >= 0",
             opts.max_retries)
    _require(_int_at_least(opts.n_ctx, 1), "n_ctx", "an integer >= 1", opts.n_ctx)
    _require(opts.n_threads is None or _int_at_least(opts.n_threads, 1), "n_threads",
             "an integer >= 1 or None", opts.n_threads)
    _require(bool(opts.api_key_env.strip()), "--api-key-env",
             "the name of an environment variable", opts.api_key_env)
    url = opts.base_url
    _require(url is None or url.lower().startswith(("http://", "https://")), "--base-url",
             "an http:// or https:// URL", url)




@dataclass
class RunOptions:
    out: Path
    dataset: str = "demo"
    models: list[str] = field(default_factory=lambda: ["local"])
    # empty: none given (0.2 for models; a replay file's name must carry its own)
    temperatures: list[float] = field(default_factory=list)
    style: str = "code"  # one prompt style or several, comma-separated (one condition each)
    n: int = 5
    top_p: float = 0.95
    max_tokens: int = 256
    stop: list[str] = field(default_factory=list)
    seed: int = 0
    limit: int | None = None
    task_ids: list[str] = field(default_factory=list)
    ks: list[int] = field(default_factory=lambda: [1, 3, 5])
    policy: Literal["target", "any"] = "target"
    dedup: Literal["none", "exact", "fuzzy"] = "none"
    analyzers: list[str] = field(default_factory=lambda: list(DEFAULT_ANALYZERS))
    sandbox: str = "bwrap"
    run_tests: bool = True
    backend: BackendOptions = field(default_factory=BackendOptions)
    progress: bool = True
    bootstrap_reps: int = 1000
    # parameters of the retrieval:* styles (SecCoder); defaults leave the strategy name bare
    retrieval_setting: str = "loo"
    retrieval_top: int = 1
    retrieval_store: str | None = None
    retrieval_embedder: str | None = None
    retrieval_base: str = "code"

    def __post_init__(self) -> None:
        self.validate()

    @property
    def styles(self) -> list[str]:
        """The prompt styles of ``--style a,b``: each makes conditions like a temperature."""
        parts = [s.strip() for s in self.style.split(",")]
        return [] if parts == [""] else parts

    def style_params(self, style: str) -> dict[str, str]:
        """The parameters ``style`` is run with: the ``--retrieval-*`` options for a
        ``retrieval:`` style (only those not at their default, so labels stay short)."""
        if not style.startswith("retrieval:"):
            return {}
        given = {"setting": self.retrieval_setting, "top": str(self.retrieval_top),
                 "store": self.retrieval_store, "embedder": self.retrieval_embedder,
                 "base": self.retrieval_base}
        defaults = {"setting": "loo", "top": "1", "base": "code"}
        return {k: v for k, v in given.items() if v and v != defaults.get(k)}

    def validate(self) -> None:
        """Raise :class:`OptionError` (named as the CLI option) for a value out of range.

        Runs on construction, so the Python API is checked like the CLI; call it again after
        changing a field."""
        _require(bool(self.models) and all(m.strip() for m in self.models), "--model",
                 "one or more model names", self.models)
        for t in self.temperatures:
            _require(_number(t) and 0 <= t <= 2, "--temperature",
                     "a finite number in [0, 2] (or a comma-separated sweep of them)", t)
        _require(_int_at_least(self.n, 1), "--n", "an integer >= 1", self.n)
        ks = "one or more integers >= 1, comma-separated"
        _require(bool(self.ks), "--k", ks, ",".join(map(str, self.ks)))
        for k in self.ks:
            _require(_int_at_least(k, 1), "--k", ks, k)
        _require(_number(self.top_p) and 0 < self.top_p <= 1, "--top-p",
                 "a number in (0, 1]", self.top_p)
        _require(_int_at_least(self.max_tokens, 1), "--max-tokens", "an integer >= 1",
                 self.max_tokens)
        for stop in self.stop:
            _require(bool(stop), "--stop", "a non-empty string", stop)
        _require(_int_at_least(self.seed, 0) and self.seed <= MAX_SEED, "--seed",
                 f"an integer in [0, {MAX_SEED}]", self.seed)
        _require(self.limit is None or _int_at_least(self.limit, 1), "--limit",
                 "an integer >= 1 (omit it for every task)", self.limit)
        for task_id in self.task_ids:
            _require(bool(task_id.strip()), "--task", "a task id", task_id)
        _require(self.policy in ("target", "any"), "--policy", "'target' or 'any'",
                 self.policy)
        _require(self.dedup in ("none", "exact", "fuzzy"), "--dedup",
                 "'none', 'exact' or 'fuzzy'", self.dedup)
        _require(bool(self.styles) and len(set(self.styles)) == len(self.styles)
                 and "" not in self.styles, "--style",
                 "one or more different prompt style names, comma-separated", self.style)
        _require(bool(self.dataset.strip()), "--dataset", "a dataset name or task file",
                 self.dataset)
        for name in self.analyzers:
            _require(bool(name.strip()), "--analyzer", "an analyzer name", name)
        _require(_int_at_least(self.bootstrap_reps, 1), "bootstrap_reps", "an integer >= 1",
                 self.bootstrap_reps)
        _require(self.retrieval_setting in ("loo", "exclude-cwe"), "--retrieval-setting",
                 "'loo' or 'exclude-cwe'", self.retrieval_setting)
        _require(_int_at_least(self.retrieval_top, 1), "--retrieval-top", "an integer >= 1",
                 self.retrieval_top)
        _require(self.retrieval_base in ("code", "text"), "--retrieval-base",
                 "'code' or 'text'", self.retrieval_base)
        _require(not self.out.exists() or self.out.is_dir(), "--out",
                 "a folder (new, or a run to resume)", str(self.out))
        validate_backend(self.backend)


def options_to_json(opts: RunOptions) -> str:
    data = dataclasses.asdict(opts)
    data["out"] = str(opts.out)
    return json.dumps(data)


def options_from_json(text: str, out: Path) -> RunOptions:
    data = json.loads(text)
    data["out"] = out
    data["backend"] = BackendOptions(**data["backend"])
    try:
        return RunOptions(**data)
    except OptionError as err:  # stored by a version that did not check this option yet
        raise OptionError(f"{out} was run with an option out of range ({err}); start a new run "
                          "folder") from None

