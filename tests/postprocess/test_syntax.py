from __future__ import annotations

import shutil

import pytest

from vulnbench.postprocess.syntax import check_syntax


def test_python_ok() -> None:
    assert check_syntax("import os\n\n\ndef f(x):\n    return os.path.join(x, 'a')\n",
                        "python") is None


def test_python_broken_names_the_line() -> None:
    reason = check_syntax("x = 1\ndef f(:\n    pass\n", "python")
    assert reason is not None
    assert reason.startswith("line 2")


@pytest.mark.parametrize("code", ["", "   \n\n\t\n"])
def test_empty_program(code: str) -> None:
    assert check_syntax(code, "python") == "empty program"
    assert check_syntax(code, "c") == "empty program"


def test_python_null_byte_is_a_reason_not_a_crash() -> None:
    reason = check_syntax("x = 1\x00\n", "python")
    assert reason is not None
    assert "null" in reason
    assert "None" not in reason


def test_unknown_language() -> None:
    with pytest.raises(ValueError, match="cobol"):
        check_syntax("x", "cobol")


needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="no gcc")


@needs_gcc
def test_c_ok() -> None:
    code = "#include <stdio.h>\nint main(void) { printf(\"hi\\n\"); return 0; }\n"
    assert check_syntax(code, "c") is None


@needs_gcc
def test_c_broken() -> None:
    reason = check_syntax("int main(void) { return 0 }\n", "c")
    assert reason is not None
    assert "error" in reason
    assert "sample.c" in reason and "/tmp" not in reason
