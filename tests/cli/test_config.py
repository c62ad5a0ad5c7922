"""``vulnbench run --config FILE``: the ``[run]`` table of a TOML file fills the options not
typed on the command line; unknown keys, wrong types and out-of-range values are one line each
naming the file, exit 2, before anything is written."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from vulnbench.cli.main import main
from vulnbench.pipeline.options import RunOptions


class Started(Exception):
    """The run would have started with these options."""

    def __init__(self, opts: RunOptions) -> None:
        super().__init__("started")
        self.opts = opts


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pipeline is replaced by a stub that stops with the options it was given."""
    def fake_run(opts: RunOptions, **_: Any) -> None:
        raise Started(opts)

    monkeypatch.setattr("vulnbench.pipeline.run", fake_run)


def _main(*args: str) -> None:
    old = sys.argv
    sys.argv = ["vulnbench", *args]
    try:
        main()
    finally:
        sys.argv = old


def options(*args: str) -> RunOptions:
    with pytest.raises(Started) as info:
        _main("run", *args)
    return info.value.opts


def refused(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    """Exit 2 and the stderr lines."""
    with pytest.raises(SystemExit) as info:
        _main("run", *args)
    assert info.value.code == 2
    return capsys.readouterr().err.strip().splitlines()


def _toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "study.toml"
    path.write_text(text)
    return path


STUDY = """\
[run]
out = "{out}"
model = ["local", "mock:x"]
temperature = [0.2, 0.6]
n = 10
k = [1, 5]
top-p = 0.9
max_tokens = 64
limit = 3
no-tests = true
stop = "###"
concurrency = 8
base-url = "http://localhost:8080/v1"
progress = false
"""


def test_file_values_reach_the_run(tmp_path: Path, started: None) -> None:
    cfg = _toml(tmp_path, STUDY.format(out=tmp_path / "from-file"))
    opts = options("--config", str(cfg))
    assert opts.out == tmp_path / "from-file"
    assert opts.models == ["local", "mock:x"]
    assert opts.temperatures == [0.2, 0.6]
    assert (opts.n, opts.ks, opts.top_p, opts.max_tokens, opts.limit) == (10, [1, 5], 0.9, 64, 3)
    assert opts.run_tests is False
    assert opts.stop == ["###"]
    assert opts.backend.concurrency == 8
    assert opts.backend.base_url == "http://localhost:8080/v1"
    assert not (tmp_path / "from-file").exists()


def test_typed_options_win_over_the_file(tmp_path: Path, started: None) -> None:
    cfg = _toml(tmp_path, STUDY.format(out=tmp_path / "from-file"))
    opts = options("--n", "3", "--model", "openai:m", "--out", str(tmp_path / "typed"),
                   "--temperature", "0", "--config", str(cfg))
    assert (opts.n, opts.models, opts.temperatures) == (3, ["openai:m"], [0.0])
    assert opts.out == tmp_path / "typed"
    assert opts.ks == [1, 5] and opts.limit == 3  # not typed: from the file


def test_no_config_keeps_the_defaults(tmp_path: Path, started: None) -> None:
    opts = options("--out", str(tmp_path / "o"))
    assert (opts.n, opts.models, opts.temperatures, opts.run_tests) == (5, ["local"], [], True)


def test_unknown_key_and_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = _toml(tmp_path, '[run]\ntemprature = 0.2\nout = "o"\n[scan]\nformat = "json"\n')
    lines = refused(capsys, "--config", str(cfg))
    assert len(lines) == 2, lines
    assert lines[0] == f"error: {cfg}: unknown table or key 'scan' (run options go under [run])"
    assert lines[1].startswith(f"error: {cfg}: unknown key 'temprature' in [run]; known: ")
    assert "temperature" in lines[1] and "top-p" in lines[1]
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(("line", "expected"), [
    ('n = "ten"', "[run] n must be an integer, got 'ten'"),
    ("n = 2.5", "[run] n must be an integer, got 2.5"),
    ("top-p = true", "[run] top-p must be a number, got true"),
    ("model = 3", "[run] model must be a string or a list of strings, got 3"),
    ("no-tests = 1", "[run] no-tests must be true or false, got 1"),
    ("temperature = [[0.2]]",
     "[run] temperature must be a value or a list of values, got [[0.2]]"),
    ("dataset = 7", "[run] dataset must be a string, got 7"),
])
def test_wrong_types(tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str,
                     expected: str) -> None:
    cfg = _toml(tmp_path, f'[run]\nout = "{tmp_path / "o"}"\n{line}\n')
    assert refused(capsys, "--config", str(cfg)) == [f"error: {cfg}: {expected}"]
    assert not (tmp_path / "o").exists()


def test_every_wrong_key_is_a_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = _toml(tmp_path, '[run]\nn = "ten"\nseed = "x"\nbogus = 1\n')
    lines = refused(capsys, "--config", str(cfg), "--out", str(tmp_path / "o"))
    assert len(lines) == 3 and all(ln.startswith(f"error: {cfg}: ") for ln in lines), lines


@pytest.mark.parametrize(("line", "expected"), [
    ("n = 0", "[run] n must be an integer >= 1, got 0"),
    ("temperature = [0.2, 5]", "[run] temperature must be a finite number in [0, 2]"),
    ("top_p = 1.5", "[run] top-p must be a number in (0, 1], got 1.5"),
    ("concurrency = 0", "[run] concurrency must be an integer >= 1, got 0"),
    ('temperature = "0.2,hot"', "[run] temperature must be comma-separated numbers, got "
                                "'0.2,hot'"),
    ("k = [1, 0]", "[run] k must be one or more integers >= 1"),
])
def test_out_of_range_values_go_through_run_options(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str],
                                                    line: str, expected: str) -> None:
    cfg = _toml(tmp_path, f"[run]\n{line}\n")
    lines = refused(capsys, "--config", str(cfg), "--out", str(tmp_path / "o"))
    assert len(lines) == 1 and lines[0].startswith(f"error: {cfg}: {expected}"), lines
    assert not (tmp_path / "o").exists()


def test_unreadable_or_invalid_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.toml"
    assert refused(capsys, "--config", str(missing), "--out", "o") == [
        f"error: --config {missing}: cannot read (No such file or directory)"]
    bad = _toml(tmp_path, "[run\nn = 1\n")
    lines = refused(capsys, "--config", str(bad), "--out", "o")
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error: --config {bad}: not valid TOML (")
