"""``vulnbench invert``: find the prompts that make a model write vulnerable code (CodeLMSec's
few-shot model inversion), export the promising ones as a dataset, test them on other models
and count top-1/top-5 vulnerable codes of any run on them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from vulnbench.errors import VulnbenchError
from vulnbench.models.base import BackendOptions
from vulnbench.pipeline.options import OptionError

app = typer.Typer(add_completion=False, help="Model-inversion attack (CodeLMSec): FS-Code, "
                  "FS-Prompt and OS-Prompt few-shot prompts sample non-secure prompts from the "
                  "model, which completes them into code the static engine scores.")
console = Console(stderr=True, markup=False, emoji=False, highlight=False, soft_wrap=True)


# the model backend's options, shared by the commands that call a model
BaseUrl = Annotated[str | None, typer.Option(help="OpenAI-compatible endpoint")]
ApiKeyEnv = Annotated[str, typer.Option(help="env var holding the API key")]
Concurrency = Annotated[int, typer.Option(help="parallel API requests")]
Timeout = Annotated[float, typer.Option(help="seconds per API request")]
MaxRetries = Annotated[int, typer.Option(help="retries of a failed API request")]


def _floats(values: list[str], what: str) -> list[float]:
    try:
        return [float(x) for v in values for x in v.split(",") if x.strip()]
    except ValueError:
        raise OptionError(f"{what} takes numbers, got {values!r}") from None


def _ints(values: list[str], what: str) -> list[int]:
    try:
        return [int(x) for v in values for x in v.split(",") if x.strip()]
    except ValueError:
        raise OptionError(f"{what} takes integers, got {values!r}") from None


def _split(values: list[str]) -> list[str]:
    return [x.strip() for v in values for x in v.split(",") if x.strip()]


def _backend(base_url: str | None, api_key_env: str, concurrency: int, timeout: float,
             max_retries: int) -> BackendOptions:
    return BackendOptions(base_url=base_url, api_key_env=api_key_env, concurrency=concurrency,
                          timeout=timeout, max_retries=max_retries)


# config fields whose option is spelled otherwise (one value per option, repeatable)
_OPTIONS = {"cwes": "cwe", "methods": "method", "languages": "language",
            "analyzers": "analyzer", "sweep_prompt_temperatures": "sweep-prompt-temperature",
            "sweep_code_temperatures": "sweep-code-temperature", "sweep_cwes": "sweep-cwe",
            "examples_file": "examples"}


def _config_error(err: ValidationError) -> OptionError:
    """The option as the user typed it (``--method``, not ``--methods.0``) and the value."""
    first = err.errors()[0]
    message = first["msg"].removeprefix("Value error, ")
    if not first["loc"]:  # a check across options says which ones itself
        return OptionError(message)
    field = str(first["loc"][0])
    got = f" (got {first['input']!r})" if len(first["loc"]) > 1 else ""
    return OptionError(f"--{_OPTIONS.get(field, field).replace('_', '-')}: {message}{got}")


@app.callback(invoke_without_command=True)
def invert(
    ctx: typer.Context,
    out: Annotated[Path | None, typer.Option(help="attack folder; an existing one is resumed")]
        = None,
    model: Annotated[str, typer.Option(help="BACKEND[:NAME], as for vulnbench run")] = "local",
    cwe: Annotated[list[str], typer.Option(help="targeted CWE, repeatable or comma-separated "
                                           "(e.g. CWE-89)")] = [],  # noqa: B006
    method: Annotated[list[str], typer.Option(help="fs-code, fs-prompt, os-prompt (repeatable; "
                                              "default all three)")] = [],  # noqa: B006
    language: Annotated[list[str], typer.Option(help="python or c (repeatable)")]
        = ["python"],  # noqa: B006
    k: Annotated[int, typer.Option(help="non-secure prompts per few-shot prompt")] = 5,
    k2: Annotated[int, typer.Option("--k2", help="codes per non-secure prompt (k')")] = 5,
    permutations: Annotated[int, typer.Option(help="few-shot prompts per CWE, each a "
                                              "permuted order of the examples")] = 5,
    shots: Annotated[int, typer.Option(help="demonstrations per few-shot prompt")] = 3,
    temperature: Annotated[float, typer.Option(help="sampling temperature of prompts and "
                                               "codes")] = 0.6,
    top_p: Annotated[float, typer.Option(help="nucleus sampling top-p")] = 0.95,
    prompt_tokens: Annotated[int, typer.Option(help="tokens per sampled non-secure prompt")]
        = 25,
    code_tokens: Annotated[int, typer.Option(help="tokens per code completion")] = 150,
    baseline: Annotated[bool, typer.Option(help="also complete the examples' own prompts "
                                           "(the paper's CVE-prompt baseline)")] = True,
    sweep_shots: Annotated[list[str], typer.Option(help="shot counts to sweep (App. D), "
                                                   "e.g. 1,2,3")] = [],  # noqa: B006
    sweep_prompt_temperature: Annotated[list[str], typer.Option(
        help="prompt temperatures to sweep (App. J)")] = [],  # noqa: B006
    sweep_code_temperature: Annotated[list[str], typer.Option(
        help="code temperatures to sweep (App. J)")] = [],  # noqa: B006
    sweep_method: Annotated[str, typer.Option(help="the method the sweeps run")] = "fs-code",
    sweep_cwe: Annotated[list[str], typer.Option(help="CWEs the sweeps run on (default all)")]
        = [],  # noqa: B006
    examples: Annotated[Path | None, typer.Option(help="your own vulnerable examples "
                                                  "(JSONL, JSON or TOML)")] = None,
    chat: Annotated[str, typer.Option(help="auto (chat when the model has a chat template), "
                                      "chat or completion")] = "auto",
    order: Annotated[str, typer.Option(help="prefix (calls sharing a prefix back to back) or "
                                       "interleaved")] = "prefix",
    trim: Annotated[bool, typer.Option(help="cut a code that hit the token limit back to its "
                                       "last complete statement")] = True,
    analyzer: Annotated[list[str], typer.Option(help="static analyzers (default set when "
                                                "none)")] = [],  # noqa: B006
    confirm: Annotated[bool, typer.Option(help="run a built-in task's exploit test on the "
                                          "codes that define its entry point")] = True,
    sandbox: Annotated[str, typer.Option(help="sandbox of the exploit tests: bwrap or "
                                         "subprocess")] = "bwrap",
    seed: Annotated[int, typer.Option()] = 0,
    base_url: BaseUrl = None,
    api_key_env: ApiKeyEnv = "OPENAI_API_KEY",
    concurrency: Concurrency = 4,
    timeout: Timeout = 120.0,
    max_retries: MaxRetries = 5,
) -> None:
    """Run (or resume) an attack: writes OUT/results.json, OUT/report.md and
    OUT/report.html."""
    if ctx.invoked_subcommand is not None:
        return
    if out is None:
        raise OptionError("vulnbench invert needs --out DIR (or a subcommand: export, "
                          "transfer, score)")
    if not cwe:
        raise OptionError("vulnbench invert needs at least one --cwe (e.g. --cwe CWE-89)")
    from vulnbench.attack.config import InversionConfig
    from vulnbench.attack.inversion import invert as run_invert

    try:
        config = InversionConfig(
            model=model, cwes=_split(cwe), languages=_split(language),  # type: ignore[arg-type]
            methods=_split(method) or ["fs-code", "fs-prompt", "os-prompt"],  # type: ignore[arg-type]
            baseline=baseline, k=k, k2=k2, permutations=permutations, shots=shots,
            temperature=temperature, top_p=top_p, prompt_tokens=prompt_tokens,
            code_tokens=code_tokens, sweep_shots=_ints(sweep_shots, "--sweep-shots"),
            sweep_prompt_temperatures=_floats(sweep_prompt_temperature,
                                              "--sweep-prompt-temperature"),
            sweep_code_temperatures=_floats(sweep_code_temperature, "--sweep-code-temperature"),
            sweep_method=sweep_method,  # type: ignore[arg-type]
            sweep_cwes=_split(sweep_cwe), seed=seed, chat=chat,  # type: ignore[arg-type]
            order=order,  # type: ignore[arg-type]
            trim=trim, examples_file=str(examples) if examples else "",
            analyzers=_split(analyzer), confirm=confirm, sandbox=sandbox)
    except ValidationError as err:
        raise _config_error(err) from None
    except ValueError as err:  # a CWE id that is not one
        raise OptionError(str(err)) from None
    backend = _backend(base_url, api_key_env, concurrency, timeout, max_retries)
    results = run_invert(config, out, backend, echo=lambda msg: console.print(msg))
    run = results.run
    console.print(f"{run.get('new_calls')} new and {run.get('reused_calls')} reused model "
                  f"calls; {run.get('completion_tokens')} tokens generated; results in "
                  f"{out}/results.json, report in {out}/report.md and {out}/report.html")


@app.command()
def export(
    folder: Annotated[Path, typer.Argument(help="an attack folder")],
    out: Annotated[Path, typer.Option(help="the prompts file to write (JSONL)")],
    per_cwe: Annotated[int, typer.Option(help="promising prompts per CWE")] = 20,
    method: Annotated[list[str], typer.Option(help="only prompts of these methods (default "
                                              "all but the baseline)")] = [],  # noqa: B006
) -> None:
    """Write the promising non-secure prompts (>= 1 vulnerable code) as a dataset that
    ``vulnbench run --dataset FILE`` loads."""
    from vulnbench.attack.transfer import export_folder

    if per_cwe < 1:
        raise OptionError(f"--per-cwe must be at least 1, got {per_cwe}")
    count = export_folder(folder, out, per_cwe, set(_split(method)) or None)
    console.print(f"{count} promising prompts written to {out}")


@app.command()
def transfer(
    folders: Annotated[list[Path], typer.Argument(help="attack folders whose promising "
                                                  "prompts are completed")],
    out: Annotated[Path, typer.Option(help="transfer folder (resumed when it exists)")],
    model: Annotated[list[str], typer.Option(
        help="completing model: BACKEND:NAME, or BACKEND:NAME@T for a temperature, e.g. "
             "local@0.2 (repeatable); each folder's own model is always one")] = [],  # noqa: B006
    k2: Annotated[int, typer.Option("--k2", help="codes per prompt")] = 5,
    per_cwe: Annotated[int, typer.Option(help="promising prompts per CWE (0: all)")] = 0,
    method: Annotated[list[str], typer.Option(help="only prompts of these methods (default "
                                              "all but the baseline)")] = [],  # noqa: B006
    code_tokens: Annotated[int | None, typer.Option(help="tokens per code (default: the "
                                                    "attack's)")] = None,
    base_url: BaseUrl = None,
    api_key_env: ApiKeyEnv = "OPENAI_API_KEY",
    concurrency: Concurrency = 4,
    timeout: Timeout = 120.0,
    max_retries: MaxRetries = 5,
) -> None:
    """Complete the promising prompts of one or more attacks with other models: the
    models x prompt sources matrix of vulnerable codes (the paper's Tables IV/V)."""
    from vulnbench.attack.transfer import run_transfer

    backend = _backend(base_url, api_key_env, concurrency, timeout, max_retries)
    run_transfer(list(folders), out, _split(model), k2, per_cwe, code_tokens, backend,
                 echo=lambda msg: console.print(msg), methods=set(_split(method)) or None)
    console.print(f"results in {out}/results.json, report in {out}/report.md and "
                  f"{out}/report.html")


@app.command()
def score(folder: Annotated[Path, typer.Argument(help="a vulnbench run folder")]) -> None:
    """Top-1/top-5 counts of vulnerable codes (any CWE) of a run, per CWE and language (the
    paper's Table VI): for a run on exported prompts or on CodeLMSec's benchmark."""
    from vulnbench.attack.inversion import stored_config
    from vulnbench.attack.topk import render_topk, score_run, write_topk

    if not (folder / "run.sqlite").is_file():
        raise VulnbenchError(f"{folder} holds no run store; make one with vulnbench run")
    if stored_config(folder) is not None:
        raise VulnbenchError(f"{folder} holds an attack, not a vulnbench run: export its "
                             "prompts (vulnbench invert export), run a model on them "
                             "(vulnbench run --dataset FILE) and score that run folder")
    topk = score_run(folder)
    write_topk(folder, topk)
    print(render_topk(topk))
