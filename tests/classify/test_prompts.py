"""The classification prompts: what the model is asked, in SecuCoGen Figure 4's spirit."""

from __future__ import annotations

import pytest

from vulnbench.classify.prompts import (
    CWE_STYLE,
    DETECT_STYLE,
    as_completion,
    cwe_choices,
    cwe_prompt,
    detect_prompt,
)
from vulnbench.errors import VulnbenchError

CODE = "def f(q):\n    return db.execute('SELECT * FROM t WHERE q=' + q)\n"
SQLI = "CWE-89: Improper Neutralization of Special Elements used in an SQL Command " \
       "('SQL Injection')"


def test_detect_prompt_asks_yes_or_no_about_fenced_code() -> None:
    p = detect_prompt("t1", CODE, "python")
    assert (p.task_id, p.style, p.kind) == ("t1", DETECT_STYLE, "chat")
    assert p.system and "security" in p.system
    assert f"```python\n{CODE.rstrip()}\n```" in p.text
    assert '"Yes" or "No" first' in p.text and "one sentence" in p.text


def test_cwe_choices_are_unique_sorted_by_number_with_mitre_names() -> None:
    choices = cwe_choices(["CWE-89", "CWE-502", "cwe_089", "CWE-22"])
    assert [c for c, _ in choices] == ["CWE-22", "CWE-89", "CWE-502"]  # 22 < 89 < 502
    assert dict(choices)["CWE-89"] == SQLI.split(": ", 1)[1]
    with pytest.raises(VulnbenchError, match="not a CWE id"):
        cwe_choices(["SQLi"])


def test_cwe_prompt_lists_each_choice_on_a_line_and_asks_for_one_id() -> None:
    p = cwe_prompt("t1", CODE, "c", cwe_choices(["CWE-89", "CWE-22"]))
    assert (p.style, p.kind) == (CWE_STYLE, "chat")
    lines = p.text.splitlines()
    assert SQLI in lines
    assert lines.index(SQLI) > lines.index("CWE-22: Improper Limitation of a Pathname to a "
                                           "Restricted Directory ('Path Traversal')")
    assert "```c\n" in p.text and "one CWE id first" in p.text
    with pytest.raises(VulnbenchError, match="at least one CWE"):
        cwe_prompt("t1", CODE, "c", [])


def test_code_holding_a_fence_gets_a_longer_fence() -> None:
    code = 'DOC = """\n```\nx\n```\n"""\n'
    p = detect_prompt("t1", code, "python")
    assert f"````python\n{code.rstrip()}\n````" in p.text


def test_as_completion_asks_the_same_question_ending_in_answer() -> None:
    chat = detect_prompt("t1", CODE, "python")
    done = as_completion(chat)
    assert done.kind == "completion" and done.system is None
    assert done.text.startswith(str(chat.system)) and chat.text in done.text
    assert done.text.endswith("\n\nAnswer:")
    assert done.hash != chat.hash and done.style == chat.style
    assert as_completion(done) is done  # already a completion
