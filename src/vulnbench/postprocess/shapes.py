"""Facts about program text that joining a prompt and a model's output needs: whether Python
compiles, where a function is defined and where it ends, which indentation a prompt's open
function body expects, which names a program binds at top level.

Model outputs are often cut off mid-way (max_tokens), so these are text-based (regexes,
indentation, brace matching) wherever the code may not parse; ``ast`` is used only where the
text is known to be complete."""

from __future__ import annotations

import ast
import io
import re
import tokenize
import warnings

_TRIPLE = re.compile(r'"""|\'\'\'')
_IMPORT = re.compile(r"^import[ \t]+([^\n#;]+)", re.MULTILINE)
_FROM = re.compile(r"^from[ \t]+[\w.]+[ \t]+import[ \t]+(\([^)]*\)?|[^\n#;]+)", re.MULTILINE)
_BIND = re.compile(r"^(?:(?:async[ \t]+)?def[ \t]+(\w+)|class[ \t]+(\w+)"
                   r"|(\w+)[ \t]*(?::[^=\n]*)?=(?!=))", re.MULTILINE)
_ANY_DEF = re.compile(r"^[ \t]*(?:async[ \t]+)?def[ \t]+(\w+)[ \t]*\(", re.MULTILINE)
_C_NAME_CALL = r"\b{}\s*\("


def compiles(code: str) -> bool:
    """Whether Python compiles ``code`` without running it. Stricter than ``ast.parse``: a
    ``return`` outside a function fails, which is what tells a body from top-level code."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(code, "<sample>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return False
    return True


def lines_of(text: str) -> list[str]:
    """The lines of ``text`` with their ends, split at ``\\n`` only (as ``ast`` and
    ``tokenize`` count lines; ``str.splitlines`` also splits at form feeds and the like)."""
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def is_code_line(line: str, language: str) -> bool:
    """A line that is neither blank nor a whole-line comment."""
    text = line.strip()
    if not text:
        return False
    if language == "c":
        return not text.startswith(("//", "/*", "*"))
    return not text.startswith("#")


# --- Python -------------------------------------------------------------------------------

def py_def(code: str, name: str, indent: str | None = None) -> re.Match[str] | None:
    """The first ``def name(`` line of ``code`` (only at ``indent`` when given)."""
    pattern = re.compile(rf"^(?P<ind>[ \t]*)(?:async[ \t]+)?def[ \t]+{re.escape(name)}[ \t]*\(",
                         re.MULTILINE)
    return next((m for m in pattern.finditer(code)
                 if indent is None or m.group("ind") == indent), None)


def last_py_def(code: str) -> str | None:
    names = _ANY_DEF.findall(code)
    return names[-1] if names else None


def py_def_end(code: str, start: int) -> int:
    """Offset just past the function whose ``def`` line starts at ``start``: the first later
    code line indented no deeper than the ``def`` ends it. Lines inside triple-quoted strings
    and inside the signature's brackets never end it, so a truncated function is handled."""
    lines = lines_of(code[start:])
    width = len(indent_of(lines[0]).expandtabs())
    pos, depth, in_string, header = start, 0, False, True
    for line in lines:
        text = line.strip()
        if (not header and not in_string and text and not text.startswith("#")
                and len(indent_of(line).expandtabs()) <= width):
            return pos
        if len(_TRIPLE.findall(line)) % 2:
            in_string = not in_string
        if header:  # the signature ends where its brackets close
            depth += sum(line.count(c) for c in "([{") - sum(line.count(c) for c in ")]}")
            header = depth > 0
        pos += len(line)
    return len(code)


def body_indent(prefix: str) -> str | None:
    """The indentation a completion of ``prefix`` continues the body of a function (or
    class) at, or None when the prefix ends at module level (the completion adds top-level
    code)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(prefix)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return _body_indent_by_text(prefix)
    node: ast.stmt | None = tree.body[-1] if tree.body else None
    inside: ast.stmt | None = None
    while isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        inside = node = node.body[-1]
    if inside is None:
        return None
    line = lines_of(prefix)[inside.lineno - 1].rstrip("\n")
    return line[: inside.col_offset] if line[: inside.col_offset].isspace() else \
        indent_of(line)


def _body_indent_by_text(prefix: str) -> str | None:
    """body_indent for a prefix that does not parse (it ends mid-line or mid-docstring, or
    its ``def`` has no body yet): the last ``def`` counts when no later code line leaves it."""
    defs = list(_ANY_DEF.finditer(prefix))
    if not defs:
        return None
    last = defs[-1]
    def_line = prefix[last.start():].split("\n", 1)[0]
    width = len(indent_of(def_line).expandtabs())
    after = prefix[py_def_end(prefix, last.start()):]
    if any(is_code_line(ln, "python") for ln in after.splitlines()):
        return None
    body = [ln for ln in prefix[last.start():].splitlines()[1:] if ln.strip()]
    deeper = [indent_of(ln) for ln in body if len(indent_of(ln).expandtabs()) > width]
    if deeper:
        return deeper[0]
    unit = "\t" if "\t" in indent_of(def_line) else "    "
    return indent_of(def_line) + unit


def top_level_names(code: str) -> set[str]:
    """Names ``code`` binds at column 0 (imports, assignments, defs, classes), by text."""
    names = {next(g for g in m.groups() if g) for m in _BIND.finditer(code)}
    return names | import_names(code)


def import_names(code: str) -> set[str]:
    names: set[str] = set()
    for match in _IMPORT.finditer(code):
        for part in match.group(1).split(","):
            words = part.split()
            if words:
                names.add(words[-1] if "as" in words[1:] else words[0].split(".")[0])
    for match in _FROM.finditer(code):
        for part in match.group(1).strip("()").replace("\n", " ").split(","):
            words = part.split()
            if words:
                names.add(words[-1])
    return names


def string_spans(code: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the multi-line string literals of ``code``, as far as it
    tokenizes (a truncated or badly indented tail just ends the list early)."""
    starts = [0]
    for line in lines_of(code):
        starts.append(starts[-1] + len(line))
    spans: list[tuple[int, int]] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type == tokenize.STRING and tok.start[0] != tok.end[0]:
                spans.append((starts[tok.start[0] - 1] + tok.start[1],
                              starts[tok.end[0] - 1] + tok.end[1]))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return spans


# --- C ------------------------------------------------------------------------------------

def c_skip(code: str, i: int) -> int:
    """If a comment, string or character literal starts at ``i``, the offset past it; else
    ``i``."""
    if code.startswith("//", i):
        end = code.find("\n", i)
        return len(code) if end < 0 else end
    if code.startswith("/*", i):
        end = code.find("*/", i + 2)
        return len(code) if end < 0 else end + 2
    if i < len(code) and code[i] in "\"'":
        quote, j = code[i], i + 1
        while j < len(code) and code[j] != quote and code[j] != "\n":
            j += 2 if code[j] == "\\" else 1
        return j + 1
    return i


def c_block_end(code: str, open_brace: int) -> int:
    """Offset past the ``}`` that closes the ``{`` at ``open_brace`` (end of text if none)."""
    depth, i = 0, open_brace
    while i < len(code):
        j = c_skip(code, i)
        if j != i:
            i = j
            continue
        if code[i] == "{":
            depth += 1
        elif code[i] == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(code)


def c_def(code: str, name: str) -> tuple[int, int] | None:
    """(line start, offset of the opening brace) of the definition of function ``name``: a
    line that starts with its return type, then ``name(...)`` and ``{`` (not a prototype or
    a call)."""
    for match in re.finditer(_C_NAME_CALL.format(re.escape(name)), code):
        line_start = code.rfind("\n", 0, match.start()) + 1
        lead = code[line_start:match.start()]
        if lead[:1].isspace() or re.search(r"[^\w\s*]", lead) or re.match(
                r"\s*(?:return|else|case)\b", lead):
            continue
        depth, i = 0, match.end() - 1
        while i < len(code):
            j = c_skip(code, i)
            if j != i:
                i = j
                continue
            depth += {"(": 1, ")": -1}.get(code[i], 0)
            i += 1
            if depth == 0:
                break
        rest = code[i:]
        brace = len(rest) - len(rest.lstrip())
        if rest[brace:brace + 1] == "{":
            if not lead.strip() and line_start > 0:  # the return type on the line above
                above = code.rfind("\n", 0, line_start - 1) + 1
                if re.fullmatch(r"[A-Za-z_][\w \t*]*", code[above:line_start - 1]):
                    line_start = above
            return line_start, i + brace
    return None


def last_c_def(code: str) -> str | None:
    """The name of the last function ``code`` opens a definition of."""
    names = re.findall(r"^[A-Za-z_][\w \t*]*?\b([A-Za-z_]\w*)\s*\([^;{}]*\)\s*\{",
                       code, re.MULTILINE)
    return names[-1] if names else None
