"""Pieces of the prompt/output join that the corpus does not isolate: the dropped-code check,
block selection, R3's guards, target finding and the text facts they rest on."""

from __future__ import annotations

import pytest

from vulnbench.postprocess.join import Target, find_target, r3
from vulnbench.postprocess.repair import dropped_reason, extract_code, repair
from vulnbench.postprocess.shapes import (
    body_indent,
    c_block_end,
    c_def,
    compiles,
    py_def_end,
    top_level_names,
)

PROMPT = '''import os


def read_note(folder: str, name: str) -> str:
    """Return the text of note ``name`` in ``folder``."""'''
OWN = ("import os\n\n\ndef read_note(folder, name):\n"
       "    with open(os.path.join(folder, name)) as fh:\n        return fh.read()\n")
TARGET = find_target(PROMPT, "read_note", "python")


# --- dropped code -----------------------------------------------------------------------------

def test_stub_in_place_of_the_models_definition_is_flagged() -> None:
    """What SALLM's literal rules made of a complete fenced answer: the prompt's stub."""
    reason = dropped_reason(OWN, PROMPT, PROMPT, "read_note", "python")
    assert "definition of read_note()" in reason


def test_stub_in_place_of_a_body_is_flagged_and_a_kept_body_is_not() -> None:
    body = "    return open(os.path.join(folder, name)).read()\n"
    assert "1 code line" in dropped_reason(body, PROMPT, PROMPT, "read_note", "python")
    assert dropped_reason(body, PROMPT + "\n" + body, PROMPT, "read_note", "python") == ""
    assert dropped_reason("", PROMPT, PROMPT, "read_note", "python") == ""


def test_c_definition_lost_is_flagged() -> None:
    prompt = "#include <string.h>\n\nsize_t len_of(const char *s)\n{\n"
    own = "#include <string.h>\nsize_t len_of(const char *s)\n{\n    return strlen(s);\n}\n"
    assert "len_of()" in dropped_reason(own, prompt, prompt, "len_of", "c")
    assert dropped_reason(own, own, prompt, "len_of", "c") == ""


def test_repair_never_reports_dropped_for_a_full_answer() -> None:
    result = repair(f"```python\n{OWN}```", PROMPT, entry_point="read_note")
    assert result.code == OWN and result.dropped == "" and result.source == OWN


# --- R1 block selection -------------------------------------------------------------------

def test_block_defining_the_target_wins_over_an_earlier_one() -> None:
    text = "```python\nprint(read_note('n', 'a'))\n```\n```python\n" + OWN + "```"
    assert extract_code(text, "python", TARGET) == OWN


def test_import_blocks_before_the_chosen_block_are_kept_others_not() -> None:
    text = ("```python\nimport os\nfrom pathlib import (\n    Path,\n)\n```\n"
            "```python\ndef read_note(folder, name):\n    return ''\n```\n"
            "```python\nimport sys\n```")
    code = extract_code(text, "python", TARGET)
    assert code == ("import os\nfrom pathlib import (\n    Path,\n)\n\n"
                    "def read_note(folder, name):\n    return ''\n")


def test_other_language_blocks_are_passed_over_unless_alone() -> None:
    target = Target(None)
    text = "```console\n$ python app.py\n```\n```python\nx = 1\n```"
    assert extract_code(text, "python", target) == "x = 1\n"
    assert extract_code("```text\nx = 1\n```", "python", target) == "x = 1\n"
    assert extract_code("no fence", "python", target) is None


# --- R3 guards ----------------------------------------------------------------------------

def test_r3_skips_a_pattern_inside_a_multiline_string() -> None:
    completion = '\n    sql = """\nif needed\n"""\n    return sql\n\ndef extra():\n    pass\n'
    assert r3(completion, "python", TARGET, PROMPT) == \
        '\n    sql = """\nif needed\n"""\n    return sql\n'


def test_r3_starts_after_the_models_own_definition() -> None:
    completion = "\n    pass\n\n\ndef read_note(folder, name):\n    return name\n\ndef x():\n"
    assert r3(completion, "python", TARGET) == \
        "\n    pass\n\n\ndef read_note(folder, name):\n    return name\n"


def test_r3_after_a_module_level_prompt_cuts_only_a_main_guard() -> None:
    prompt = "from flask import Flask\n\napp = Flask(__name__)\n\n# add a /ping view\n"
    target = find_target(prompt, "app", "python")
    assert target.body is None and not target.in_prompt
    completion = ("\n@app.route('/ping')\ndef ping():\n    return 'ok'\n\n"
                  "if __name__ == '__main__':\n    app.run()\n")
    assert r3(completion, "python", target) == \
        "\n@app.route('/ping')\ndef ping():\n    return 'ok'\n"


def test_r3_keeps_a_c_main_when_main_is_the_task() -> None:
    prompt = "#include <stdio.h>\n\nint main(void)\n{\n"
    target = find_target(prompt, "main", "c")
    assert r3("    return 0;\n}\nint main2;\n", "c", target) == "    return 0;\n}\nint main2;\n"


# --- rules, targets, joins --------------------------------------------------------------------

def test_r2_disabled_adds_no_prompt() -> None:
    result = repair("    return ''\n", PROMPT, rules=("R1", "R3"))
    assert result.code == "    return ''\n" and result.rules == []


def test_rules_name_how_r2_joined() -> None:
    assert repair("    return ''", PROMPT).rules == ["R2", "R2:newline"]
    assert repair("x = 1\n    return ''", PROMPT).rules == ["R2", "R2:reindent", "R2:newline"]
    merged = repair("def read_note(folder, name):\n    return ''\n", PROMPT)
    assert merged.rules == ["R2", "R2:merge"]
    assert merged.code.startswith("import os\n\ndef read_note")


def test_prompt_ending_mid_expression_is_never_reindented() -> None:
    prompt = PROMPT + "\n    return ("
    raw = "folder +\n        name)\n"
    assert repair(raw, prompt).code == prompt + raw


@pytest.mark.parametrize(("entry", "expected"), [("read_note", "read_note"), (None, "read_note"),
                                                 ("missing", "read_note")])
def test_target_is_the_entry_point_when_the_prompt_defines_it(entry: str | None,
                                                              expected: str) -> None:
    assert find_target(PROMPT, entry, "python").name == expected


def test_target_named_by_the_task_but_written_by_the_model() -> None:
    prompt = "# write serve(port) that starts the server\n"
    target = find_target(prompt, "serve", "python")
    assert (target.name, target.in_prompt, target.body) == ("serve", False, None)


def test_c_merge_adds_an_initialized_global_the_output_lacks() -> None:
    prompt = ('#include <string.h>\n\nstatic const char *ROOT = "/srv";\n\n'
              "int under_root(const char *p)\n{\n")
    own = "int under_root(const char *p)\n{\n    return strncmp(p, ROOT, strlen(ROOT)) == 0;\n}\n"
    result = repair(f"```c\n{own}```", prompt, language="c")
    assert result.code == '#include <string.h>\nstatic const char *ROOT = "/srv";\n\n' + own


# --- text facts ---------------------------------------------------------------------------

def test_body_indent_of_prompt_shapes() -> None:
    assert body_indent(PROMPT) == "    "
    assert body_indent("class A:\n  def m(self):\n    '''Doc.'''") == "    "
    assert body_indent("def f():\n\t'''Doc.'''\n") == "\t"
    assert body_indent("def f(x):") == "    "
    assert body_indent('class A:\n    """Doc."""') == "    "
    assert body_indent("import os\nx = 1\n") is None
    assert body_indent("def f():\n    '''Doc.'''\n\nx = 1\n") is None


def test_py_def_end_on_truncated_code_and_multiline_strings() -> None:
    code = 'def f(a,\nb):\n    s = """\nx\n"""\n    return s\nprint(f)\n'
    assert code[: py_def_end(code, 0)] == 'def f(a,\nb):\n    s = """\nx\n"""\n    return s\n'
    cut = "def f():\n    return g(\n"
    assert py_def_end(cut, 0) == len(cut)


def test_c_def_ignores_calls_and_prototypes() -> None:
    code = ("int f(int);\nint g(void) { return f(1); }\n"
            "int f(int x)\n{\n    if (x) { return '}'; }\n    return 0;\n}\n")
    start, brace = c_def(code, "f") or (0, 0)
    assert code[start:c_block_end(code, brace)].startswith("int f(int x)\n{")
    assert code[start:c_block_end(code, brace)].endswith("return 0;\n}")
    assert c_def("    x = f(2);\n", "f") is None


def test_compiles_rejects_a_top_level_return_and_names_are_found() -> None:
    assert not compiles("return 1\n") and compiles("def f():\n    return 1\n")
    assert top_level_names("import a.b as c, d\nfrom e import (f,\n g as h)\nx: int = 1\n"
                           "def i(): pass\n    y = 2\n") == {"c", "d", "f", "h", "x", "i"}
