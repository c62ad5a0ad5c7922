"""SecCoder's integration templates: the prompt a model sees stays a valid program around every
built-in demonstration (Python parses, C compiles), and the parameters are checked."""

from __future__ import annotations

import ast
import shutil
import subprocess

import pytest

from vulnbench.datasets import load_dataset
from vulnbench.errors import DatasetError
from vulnbench.pipeline.options import RunOptions
from vulnbench.prompts.retrieval import c_template, integrate, params_of, python_template
from vulnbench.records import Task


@pytest.fixture(scope="module")
def builtin() -> list[Task]:
    return load_dataset("builtin").tasks


def test_python_template_is_the_papers_fence() -> None:
    text = python_template(["import os\nx = 1\n"], "def f():\n")
    assert text == '"""\n```\nimport os\nx = 1\n```\n"""\ndef f():\n'


def test_c_template_is_the_papers_fence() -> None:
    assert c_template(["int x;"], "int f(void) {\n") == \
        "#if 0\n```\nint x;\n```\n#endif\nint f(void) {\n"


def test_best_demonstration_is_nearest_the_prompt() -> None:
    text = integrate("python", ["BEST = 1", "SECOND = 2"], "PROMPT")
    assert text.index("SECOND") < text.index("BEST") < text.index("PROMPT")


def test_python_demo_with_both_quote_kinds_becomes_comments() -> None:
    demo = 'def a():\n    """doc"""\n    return \'\'\'x\'\'\'\n'
    text = python_template([demo], "y = 2\n")
    tree = ast.parse(text)
    assert [type(n).__name__ for n in tree.body] == ["Assign"]  # the demo is all comments


def test_every_python_reference_parses_inside_the_template(builtin: list[Task]) -> None:
    python = [t for t in builtin if t.language == "python" and t.secure_reference]
    assert len(python) > 100
    for i, task in enumerate(python):
        demo = python[(i + 1) % len(python)].secure_reference
        program = integrate("python", [demo], task.secure_reference)
        ast.parse(program)  # raises SyntaxError naming the line if the fence broke
        # the demonstration is a string (or comments), not code: the module defines only
        # what the task's own reference defines
        assert {n.name for n in ast.parse(program).body if isinstance(n, ast.FunctionDef)} \
            == {n.name for n in ast.parse(task.secure_reference).body
                if isinstance(n, ast.FunctionDef)}


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc not installed")
def test_every_c_reference_compiles_inside_the_template(builtin: list[Task]) -> None:
    c_tasks = [t for t in builtin if t.language == "c" and t.secure_reference]
    assert len(c_tasks) >= 20
    for i, task in enumerate(c_tasks):
        demos = [c_tasks[(i + 1) % len(c_tasks)].secure_reference,
                 c_tasks[(i + 2) % len(c_tasks)].secure_reference]
        program = integrate("c", demos, task.secure_reference)
        out = subprocess.run(["gcc", "-fsyntax-only", "-Werror", "-x", "c", "-"], input=program,
                             capture_output=True, text=True, check=False)
        assert out.returncode == 0, f"{task.id}: {out.stderr[:500]}"


def test_params_defaults_and_errors() -> None:
    assert params_of({}) == {"setting": "loo", "top": "1", "base": "code"}
    assert params_of({"setting": "exclude-cwe", "top": "3"})["top"] == "3"
    for bad in ({"setting": "nope"}, {"top": "0"}, {"top": "x"}, {"base": "chat"},
                {"colour": "red"}):
        with pytest.raises(DatasetError):
            params_of(bad)


def test_run_options_give_retrieval_styles_their_non_default_params(tmp_path: object) -> None:
    from pathlib import Path

    opts = RunOptions(out=Path(str(tmp_path)) / "r", retrieval_top=2, retrieval_setting="loo")
    assert opts.style_params("retrieval:bm25") == {"top": "2"}
    assert opts.style_params("code") == {}
    assert RunOptions(out=Path(str(tmp_path)) / "r").style_params("retrieval:dense") == {}
