"""SALLM's repair rules R1-R3 (seed spec: sallm.txt, section III-B)."""

from __future__ import annotations

import ast

import pytest

from vulnbench.postprocess.repair import R3_PATTERNS, extract_code_block, repair

PROMPT = '''import sqlite3


def get_user(db_path: str, username: str) -> dict | None:
    """Return the user row as a dict, or None."""
'''
BODY = '''    conn = sqlite3.connect(db_path)
    row = conn.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
    return None if row is None else dict(zip(("id", "username"), row))
'''
FULL = PROMPT + BODY


# --- R1: code block extraction -------------------------------------------------------------

@pytest.mark.parametrize("tag", ["python", "py", ""])
def test_r1_fenced_block_with_or_without_language_tag(tag: str) -> None:
    raw = f"Sure, here it is:\n```{tag}\n{FULL}```\nThis uses a parameterized query."
    result = repair(raw, "")
    assert result.code == FULL
    assert result.rules == ["R1"]


def test_r1_keeps_only_the_first_block() -> None:
    raw = f"Code:\n```python\n{FULL}```\nUsage:\n```python\nprint(get_user('db', 'x'))\n```\n"
    assert repair(raw, "").code == FULL


def test_r1_text_before_and_after_is_dropped() -> None:
    raw = f"Explanation first.\n\n```python\n{FULL}```\n\nAnd an explanation after."
    code = repair(raw, "").code
    assert "Explanation" not in code and "explanation after" not in code
    ast.parse(code)


def test_r1_unterminated_fence_counts_as_a_block() -> None:
    raw = f"Here is the code:\n```python\n{FULL}"  # cut by max_tokens
    result = repair(raw, "")
    assert result.code == FULL
    assert result.rules == ["R1"]


def test_r1_unterminated_untagged_fence_after_prose() -> None:
    raw = f"Here is the code:\n```\n{FULL}"
    assert repair(raw, "").code == FULL


@pytest.mark.parametrize("after", ["", "\n", "\n\nThis function looks the user up safely.\n"])
def test_r1_lone_closing_fence_after_code(after: str) -> None:
    """A completion model continues the prompt, then closes a fence it never opened."""
    raw = BODY + "```" + after
    result = repair(raw, PROMPT)
    assert result.code == FULL
    assert "looks the user up" not in result.code
    assert result.rules[0] == "R1"
    ast.parse(result.code)


def test_r1_lone_closing_fence_after_complete_program() -> None:
    raw = FULL + "```\n\nThe function above uses a placeholder."
    assert repair(raw, "").code == FULL


def test_r1_no_fence_leaves_text_alone() -> None:
    result = repair(FULL, "")
    assert result.code == FULL and result.rules == []
    assert extract_code_block(FULL) is None


def test_r1_can_be_disabled() -> None:
    raw = f"Text\n```python\n{FULL}```\n"
    assert repair(raw, "", rules=("R2", "R3")).code == raw


# --- R2: prompt addition -------------------------------------------------------------------

def test_r2_prepends_an_absent_prompt() -> None:
    result = repair(BODY, PROMPT)
    assert result.code == FULL
    assert result.rules == ["R2"]
    ast.parse(result.code)


def test_r2_leaves_a_present_prompt_untouched() -> None:
    result = repair(FULL, PROMPT)
    assert result.code == FULL
    assert result.rules == []
    assert result.code.count("def get_user") == 1


def test_r2_present_prompt_inside_a_fence() -> None:
    result = repair(f"```python\n{FULL}```", PROMPT)
    assert result.code == FULL
    assert result.rules == ["R1"]


# --- R3: extra code removal ----------------------------------------------------------------

@pytest.mark.parametrize("pattern", R3_PATTERNS)
def test_r3_each_pattern_cuts_the_rest(pattern: str) -> None:
    extra = pattern + " something_else():\n    pass\n"
    result = repair(BODY + extra, PROMPT)
    assert result.code == FULL
    assert result.rules == ["R2", "R3"]


def test_r3_the_pattern_itself_is_removed() -> None:
    result = repair(BODY + "\nif __name__ == '__main__':\n    print(get_user('a', 'b'))\n",
                    PROMPT)
    assert "__main__" not in result.code
    assert not result.code.rstrip().endswith("if")


def test_r3_cuts_at_the_earliest_pattern() -> None:
    raw = BODY + "\nclass A:\n    pass\n\ndef b():\n    pass\n"
    assert repair(raw, PROMPT).code == FULL


@pytest.mark.parametrize("pattern", R3_PATTERNS)
def test_r3_patterns_inside_the_prompt_are_not_cut(pattern: str) -> None:
    prompt = f"import os\n{pattern} helper():\n    pass\n\n\ndef main():\n    \"\"\"Doc.\"\"\"\n"
    body = "    return helper()\n"
    result = repair(prompt + body, prompt)
    assert result.code == prompt + body
    assert "R3" not in result.rules


def test_r3_indented_def_in_the_body_is_not_cut() -> None:
    body = "    def inner(x):\n        return x\n    if username:\n        return inner(1)\n"
    result = repair(body, PROMPT)
    assert result.code == PROMPT + body
    assert result.rules == ["R2"]


def test_r3_only_for_python() -> None:
    prompt = "int add(int a, int b) {\n"
    raw = "  return a + b;\n}\nif\n"
    assert repair(raw, prompt, language="c").code == prompt + raw


# --- order, text prompts, realistic output --------------------------------------------------

def test_rules_reported_in_order() -> None:
    raw = f"Here:\n```python\n{BODY}\ndef main():\n    pass\n```\nDone."
    result = repair(raw, PROMPT)
    assert result.rules == ["R1", "R2", "R3"]
    assert result.code == FULL


def test_text_prompt_skips_r2_and_r3() -> None:
    code = "import os\n\n\ndef a():\n    return 1\n\n\ndef b():\n    return 2\n"
    result = repair(f"```python\n{code}```", "")
    assert result.code == code
    assert result.rules == ["R1"]


def test_text_prompt_with_empty_output_is_not_extracted() -> None:
    result = repair("```python\n```", "")
    assert result.extracted is False
    assert repair("", "").extracted is False


def test_realistic_base_model_completion_continues_past_the_function() -> None:
    raw = (
        "    conn = sqlite3.connect(db_path)\n"
        "    cur = conn.cursor()\n"
        "    cur.execute(\"SELECT id, username FROM users WHERE username = ?\", (username,))\n"
        "    row = cur.fetchone()\n"
        "    conn.close()\n"
        "    if row is None:\n"
        "        return None\n"
        "    return {\"id\": row[0], \"username\": row[1]}\n"
        "\n"
        "\n"
        "def get_all_users(db_path: str) -> list[dict]:\n"
        "    conn = sqlite3.connect(db_path)\n"
        "    rows = conn.execute(\"SELECT id, username FROM users\").fetch"
    )
    result = repair(raw, PROMPT)
    assert result.rules == ["R2", "R3"]
    assert "get_all_users" not in result.code
    assert result.code.startswith(PROMPT)
    assert "    if row is None:\n        return None\n" in result.code
    tree = ast.parse(result.code)
    assert [n.name for n in tree.body if isinstance(n, ast.FunctionDef)] == ["get_user"]


def test_r3_for_c_cuts_a_generated_main() -> None:
    prefix = "#include <string.h>\n\nsize_t f(const char *s)\n{\n"
    raw = "    return strlen(s);\n}\n\nint main(void)\n{\n    return f(\"x\");\n}\n"
    result = repair(raw, prefix, language="c")
    assert result.code == prefix + "    return strlen(s);\n}\n"
    assert result.rules == ["R2", "R3"]
