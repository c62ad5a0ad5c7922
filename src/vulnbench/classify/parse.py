"""Turn a model's free-text answer into a class (SecuCoGen experiment 6).

Chat models answer in prose and markdown, a tiny base model in fragments; both are parsed with
the same rules. An answer that cannot be read is its own class, UNPARSEABLE, so the metrics
count it as wrong instead of silently dropping it (dropping would flatter a model that often
rambles). For detection the FIRST decisive statement wins: models often give a verdict and then
hedge, and the verdict is what was asked.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

from vulnbench.records import normalize_cwe

VULNERABLE = "vulnerable"
NOT_VULNERABLE = "not-vulnerable"
UNPARSEABLE = "unparseable"  # its own class: counted and shown, never dropped
OTHER = "other"  # names a CWE, but none of the listed choices

# hyphens, dashes and minus signs a model (or a tokenizer) may write instead of "-"
_DASHES = re.compile(r"[\u2010-\u2015\u2212\u2043\ufe58\ufe63\uff0d]")
_QUOTES = re.compile(r"[\u2018\u2019\u201b\u2032`\u00b4]")
_FENCED = re.compile(r"```.*?(?:```|\Z)", re.DOTALL)
_MARKUP = re.compile(r"[*_#~`]+")
# a question the model echoes ("Is this code vulnerable? No.") decides nothing
_QUESTION = re.compile(r"[^.!?\n]*\?")

# words that may sit between a negation and "vulnerable" ("does not appear to be vulnerable")
_FILLER = (
    r"(?:(?:appear|appears|seem|seems|to|be|at|all|really|actually|considered|likely|"
    r"inherently|particularly|contain|contains|have|has|include|includes|exhibit|introduce|"
    r"any|known|obvious|apparent|real|security|significant)\s+){0,5}"
)
_NEGATION = r"(?:\bnot|n't|\bnever|\bwithout|\b(?:isnt|arent|wasnt|doesnt|dont|didnt))"
_VULN_WORD = r"(?:vulnerab\w*|susceptible|exploitable|weakness\w*|security\s+(?:flaws?|issues?))"
_ADVERB = r"(?:(?:completely|fully|perfectly|generally|reasonably|relatively|quite|very)\s+)?"

# Alternatives are tried in this order at each position, and the earliest position wins, so a
# negated form must come before the bare word it contains.
_NEGATIVE = [
    rf"{_NEGATION}[\s\-]+{_FILLER}{_VULN_WORD}",
    rf"\bno[\s\-]+{_FILLER}{_VULN_WORD}",
    r"\bnon-?vulnerable\b",
    r"\bfree\s+(?:of|from)\s+(?:any\s+)?" + _VULN_WORD,
    rf"\b(?:is|are|looks|seems|appears|remains|be)\s+{_ADVERB}(?:safe|secure)\b",
]
_POSITIVE = [
    rf"{_NEGATION}\s+{_ADVERB}(?:safe|secure)\b",
    r"\b(?:insecure|unsafe)\b",
    rf"\b{_VULN_WORD}",
]
# a bare yes/no at the start of a line or after an "answer:" label; "no" only before
# punctuation, the end of the line or a pronoun (so "No input validation..." is not an answer)
_YES_NO = (
    r"(?:^[^\w\n]*|\banswer\s*(?:is\s*)?:?\s*)"
    r"(?P<yn>yes\b|no\b(?=[ \t]*(?:[.,!:;)\-\"']|$|(?:it|the|this|that|there|i)\b)))"
)
_DETECT = re.compile(
    "|".join(
        [_YES_NO]
        + [f"(?P<neg{i}>{p})" for i, p in enumerate(_NEGATIVE)]
        + [f"(?P<pos{i}>{p})" for i, p in enumerate(_POSITIVE)]
    ),
    re.MULTILINE,
)

# "CWE-89", "cwe89", "CWE 89", "CWE_089", "CWE:22", "CWE #22"; never a bare number
_CWE = re.compile(r"(?<![a-z0-9])cwe\s*[-_:#]?\s*(\d+)(?!\d)", re.IGNORECASE)


def _normalize(text: str) -> str:
    """NFKC (full-width forms, no-break spaces), ASCII dashes and apostrophes."""
    text = unicodedata.normalize("NFKC", text)
    text = _DASHES.sub("-", text)
    return _QUOTES.sub("'", text)


def _prose(text: str) -> str:
    """The answer's prose in lower case: no code blocks, no markdown, no echoed questions."""
    text = _FENCED.sub(" ", _normalize(text))
    text = _MARKUP.sub("", text)
    return _QUESTION.sub(" ", text).lower()


# a line that starts with a bare (maybe quoted) yes or no: a list of such lines holding both
# is the model reciting the options ('* "Yes" because ...' / '* "No" because ...'), not
# choosing one
_OPTION_LINE = re.compile(r"^[^\w\n]*(yes|no)\b[\"']?(?![ \t]+(?:other|more)\b)", re.MULTILINE)


def parse_detection(text: str) -> str:
    """VULNERABLE | NOT_VULNERABLE | UNPARSEABLE, from the first decisive statement; an answer
    whose lines give both "yes" and "no" recites the options and is UNPARSEABLE."""
    prose = _prose(text)
    if {m.group(1) for m in _OPTION_LINE.finditer(prose)} == {"yes", "no"}:
        return UNPARSEABLE
    match = _DETECT.search(prose)
    if match is None:
        return UNPARSEABLE
    if match.group("yn") is not None:
        return VULNERABLE if match.group("yn") == "yes" else NOT_VULNERABLE
    kind = match.lastgroup or ""
    return NOT_VULNERABLE if kind.startswith("neg") else VULNERABLE


def find_cwes(text: str) -> list[str]:
    """Every CWE id the text names, normalized "CWE-89", in order of first mention, unique."""
    found: dict[str, None] = {}
    for match in _CWE.finditer(_normalize(text)):
        found.setdefault(normalize_cwe(match.group(1)), None)
    return list(found)


def _name_pattern(name: str) -> re.Pattern[str]:
    """A short name as whole words, any spacing or dash between them, any case."""
    words = re.split(r"[\s\-]+", _normalize(name).strip().lower())
    joined = r"[\s\-]+".join(re.escape(w) for w in words if w)
    return re.compile(rf"(?<!\w){joined}(?!\w)")


def _by_name(text: str, names: Mapping[str, str]) -> str | None:
    """The id whose name is mentioned first (the longest name at a tie), or None."""
    prose = _MARKUP.sub("", _normalize(text)).lower()
    best: tuple[int, int, str] | None = None
    for cwe, name in names.items():
        if not name.strip():
            continue
        match = _name_pattern(name).search(prose)
        if match is None:
            continue
        key = (match.start(), -len(match.group(0)), normalize_cwe(cwe))
        if best is None or key < best:
            best = key
    return None if best is None else best[2]


# a line that starts with "CWE-N:" as the question lists them
_LISTED = re.compile(r"^[^\w\n]*cwe\s*[-_]?\s*(\d+)\s*:", re.IGNORECASE | re.MULTILINE)


def parse_cwe(text: str, choices: Sequence[str], names: Mapping[str, str] | None = None) -> str:
    """The first CWE of ``choices`` the answer names (normalized id); OTHER when it names CWE ids
    but none in choices; UNPARSEABLE when it names none, or recites two or more of the listed
    lines ("CWE-22: ..." then "CWE-78: ...") instead of choosing. ``names`` (id -> short name
    such as "SQL Injection") lets an answer that gives only the name match, when no id is given."""
    allowed = {normalize_cwe(c) for c in choices}
    listed = {normalize_cwe(m.group(1)) for m in _LISTED.finditer(_normalize(text))}
    if len(listed) >= 2:  # the choices recited as listed: none chosen
        return UNPARSEABLE
    mentioned = find_cwes(text)
    if not mentioned and names:
        by_name = _by_name(text, names)
        mentioned = [by_name] if by_name else []
    for cwe in mentioned:
        if cwe in allowed:
            return cwe
    return OTHER if mentioned else UNPARSEABLE
