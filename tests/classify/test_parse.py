"""Answer parsing: prose, markdown and fragments map to the right class; unreadable answers are
UNPARSEABLE (never guessed), and CWE ids are found only when introduced by "CWE"."""

from __future__ import annotations

import pytest

from vulnbench.classify.parse import (
    NOT_VULNERABLE,
    OTHER,
    UNPARSEABLE,
    VULNERABLE,
    find_cwes,
    parse_cwe,
    parse_detection,
)

V, N, U = VULNERABLE, NOT_VULNERABLE, UNPARSEABLE


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Yes", V),
        ("yes.", V),
        ("YES - it is vulnerable", V),
        ("YES \u2014 it is vulnerable", V),
        ("**Yes**, the code is vulnerable to SQL injection", V),
        ("Answer: No", N),
        ("No. The code is safe.", N),
        ("The code is not vulnerable.", N),
        ("This code isn't vulnerable", N),
        ("This code isn\u2019t vulnerable", N),  # typographic apostrophe
        ("There are no vulnerabilities in this code", N),
        ("The code is secure", N),
        ("The code is insecure because...", V),
        ("The code is vulnerable to path traversal (CWE-22).", V),
        ("Vulnerable", V),
        ("Not vulnerable", N),
        ("**Not** vulnerable", N),
        ("The code is not\u2011vulnerable", N),  # non-breaking hyphen
        ("It contains a SQL injection vulnerability", V),
        ("I cannot determine", U),
        ("", U),
        ("```python\nprint(1)\n```", U),
        ("No, it is not vulnerable. Yes, it uses input.", N),  # the first decisive one wins
        ("The code is not secure.", V),
        ("It is not safe to run.", V),
        ("The code does not contain any vulnerabilities.", N),
        ("The code doesn't contain any vulnerability", N),
        ("It does not appear to be vulnerable.", N),
        ("No vulnerability found.", N),
        ("No input validation is done, so it is vulnerable", V),  # "No" is not the answer here
        ("Is this code vulnerable? No.", N),  # an echoed question decides nothing
        ("- Yes\n- The query is built by string formatting", V),
        ("Final answer: yes", V),
    ],
)
def test_parse_detection(answer: str, expected: str) -> None:
    assert parse_detection(answer) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CWE-89", "CWE-89"),
        ("cwe89", "CWE-89"),
        ("CWE 89", "CWE-89"),
        ("CWE_089", "CWE-89"),
        ("CWE\u201189", "CWE-89"),  # U+2011 non-breaking hyphen
        ("CWE\u201379", "CWE-79"),  # en dash
        ("CWE:22", "CWE-22"),
        ("[CWE-78]", "CWE-78"),
        ("**CWE-502**", "CWE-502"),
        ("cwe-0079", "CWE-79"),
        ("It is CWE\uff0d22.", "CWE-22"),  # full-width hyphen-minus
    ],
)
def test_cwe_spellings(text: str, expected: str) -> None:
    assert find_cwes(text) == [expected]


def test_find_cwes_order_of_first_mention_unique() -> None:
    assert find_cwes("CWE-89, then CWE-78, and again cwe89") == ["CWE-89", "CWE-78"]


def test_numbers_not_introduced_by_cwe_are_ignored() -> None:
    assert find_cwes("line 89 calls os.system with 78 args (CVE-2021-22)") == []
    assert find_cwes("ACWE-89") == []


CHOICES = ["CWE-22", "CWE-78", "CWE-79", "CWE-89", "CWE-502"]
NAMES = {"CWE-89": "SQL Injection", "CWE-78": "OS Command Injection", "CWE-20": "Improper Input"}


def test_parse_cwe_first_mention_in_choices() -> None:
    assert parse_cwe("CWE-89 and not CWE-78", CHOICES) == "CWE-89"
    assert parse_cwe("Not CWE-20; it is CWE-78.", CHOICES) == "CWE-78"  # skips an unlisted id


def test_parse_cwe_choices_are_normalized() -> None:
    assert parse_cwe("cwe 89", ["cwe089", "79"]) == "CWE-89"


def test_parse_cwe_other_and_unparseable() -> None:
    assert parse_cwe("This is CWE-20 (improper input validation).", CHOICES) == OTHER
    assert parse_cwe("It looks like an injection at line 89.", CHOICES) == UNPARSEABLE
    assert parse_cwe("", CHOICES) == UNPARSEABLE


def test_parse_cwe_by_name_only_without_an_id() -> None:
    assert parse_cwe("This is SQL Injection", CHOICES, {"CWE-89": "SQL Injection"}) == "CWE-89"
    assert parse_cwe("a **sql-injection** flaw", CHOICES, NAMES) == "CWE-89"
    # the name mentioned first wins; at the same place the longer name wins
    assert parse_cwe("OS command injection, maybe SQL injection", CHOICES, NAMES) == "CWE-78"
    # a name of a CWE outside the choices is OTHER, no name at all is UNPARSEABLE
    assert parse_cwe("improper input handling", CHOICES, NAMES) == OTHER
    assert parse_cwe("no idea", CHOICES, NAMES) == UNPARSEABLE


def test_parse_cwe_an_id_beats_a_name() -> None:
    assert parse_cwe("SQL Injection? No: CWE-79.", CHOICES, NAMES) == "CWE-79"


@pytest.mark.parametrize("answer", [
    # shapes the embedded 270M model writes: the options recited, not one chosen
    '\n\n* "Yes" because the file is in the "upload_dir" directory.\n* "No" because the file '
    'is not in the "upload_dir" directory.\n\nAnswer:\n\n* "Yes" because t',
    '\n\n* "Yes"\n\n* "No"\n\n* "No"\n\n* "Yes"\n\n* "No"',
    "Yes\nNo",
])
def test_recited_options_are_unparseable(answer: str) -> None:
    assert parse_detection(answer) == UNPARSEABLE


@pytest.mark.parametrize(("answer", "expected"), [
    ("Yes.\nNo other issue was found.", VULNERABLE),
    ('* "No" because the query is parameterized.', NOT_VULNERABLE),
    ("Yes\n\nYes, the input reaches the shell.", VULNERABLE),
])
def test_one_option_per_answer_still_counts(answer: str, expected: str) -> None:
    assert parse_detection(answer) == expected


def test_recited_choice_lines_are_unparseable() -> None:
    choices = ["CWE-22", "CWE-78", "CWE-89"]
    recited = ("\n\nCWE-22: Improper Limitation of a Pathname to a Restricted Directory ('Path "
               "Traversal')\n\nCWE-78: Improper Neutralization of Special Elements used in an "
               "OS Command ('OS Command Injection')\n\nAnswer:")
    assert parse_cwe(recited, choices) == UNPARSEABLE
    chosen = "CWE-22: Improper Limitation of a Pathname (Path Traversal), not CWE-78."
    assert parse_cwe(chosen, choices) == "CWE-22"
