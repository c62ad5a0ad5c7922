"""R2 (prompt addition) and R3 (extra code removal) on the shapes real model outputs take.

SALLM pastes the prompt in front of an output that lacks it and, in what follows the prompt,
cuts everything from the first ``\\ndef``/``\\nif``/``\\n@app``/``\\n'''``/``\\nclass``.
Pasted literally, that breaks most chat answers: SALLM's prompts end with the docstring's
closing quotes and no newline, GPT-4 answers with the indented body only, GPT-3.5 with the
first body line unindented; and a model that writes the whole program (its own ``def`` of the
function) loses it to R3. So:

- an output that (re)defines the function the prompt asks for (or, for a prompt at module
  level, rebinds the prompt's names) is the model's program: the prompt statements it lacks
  are merged in front of it, nothing of it is replaced by the prompt's stub;
- anything else continues the prompt: it is joined with or without a line break, its first
  line re-indented, its tabs matched to the prompt's, or a wholly unindented body indented,
  whichever compiles (Python), most likely shape first;
- R3 stays SALLM's rule on a continuation of the prompt's function, never cuts inside a
  multi-line string, and only starts after the model's own definition of the function; after
  a prompt that ends at module level only a ``__main__`` guard is extra code.
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass, field

from vulnbench.postprocess.shapes import body_indent as py_body_indent
from vulnbench.postprocess.shapes import (
    c_def,
    c_skip,
    compiles,
    import_names,
    indent_of,
    is_code_line,
    last_c_def,
    last_py_def,
    lines_of,
    py_def,
    string_spans,
    top_level_names,
)

R3_PATTERNS = ("\ndef", "\nif", "\n@app", "\n'''", "\nclass")
# C counterpart (vulnbench's, not SALLM's): a C task's tests link their own driver, so a
# generated ``main`` is extra code that would clash with it.
R3_PATTERNS_C = ("\nint main", "\nvoid main")
MAIN_GUARD = re.compile(r"\nif[ \t(]+__name__\s*==")
_TOP_ONLY = re.compile(r"(?:async[ \t]+)?def[ \t]|class[ \t]|@")


@dataclass(frozen=True)
class Target:
    """The function the prompt asks for."""

    name: str | None
    in_prompt: bool = False  # the prompt opens its definition (a completion writes its body)
    indent: str = ""  # indentation of the prompt's ``def`` line
    body: str | None = None  # indentation of the open body; None: prompt ends at module level


@dataclass
class Joined:
    code: str
    rules: list[str] = field(default_factory=list)


def find_target(prefix: str, entry_point: str | None, language: str) -> Target:
    if language == "c":
        name = entry_point if entry_point and c_def(prefix, entry_point) else \
            last_c_def(prefix) or entry_point
        return Target(name, in_prompt=bool(name) and c_def(prefix, name or "") is not None)
    name = entry_point if entry_point and py_def(prefix, entry_point) else \
        last_py_def(prefix) or entry_point
    match = py_def(prefix, name) if name else None
    return Target(name, in_prompt=match is not None,
                  indent=match.group("ind") if match else "", body=py_body_indent(prefix))


def defines(code: str, target: Target, language: str) -> bool:
    """Whether ``code`` holds its own definition of the target function."""
    if not target.name:
        return False
    if language == "c":
        return c_def(code, target.name) is not None
    return py_def(code, target.name, target.indent) is not None


# --- R3 -----------------------------------------------------------------------------------

def cut_extra_code(completion: str, language: str = "python") -> str:
    """SALLM's R3 on the generated part only: cut at the earliest stop pattern."""
    patterns = R3_PATTERNS_C if language == "c" else R3_PATTERNS
    cuts = [i for i in (completion.find(p) for p in patterns) if i >= 0]
    return completion[: min(cuts)] if cuts else completion


def r3(completion: str, language: str, target: Target, context: str = "") -> str:
    """R3 on ``completion`` (what the model added after ``context``): from the end of the
    line that opens the model's own definition of the target on, if it has one."""
    start = 0
    if language == "c":
        if target.name == "main":
            return completion
        found = c_def(completion, target.name) if target.name else None
        start = found[1] if found else 0
        patterns: list[re.Pattern[str]] = [re.compile(re.escape(p)) for p in R3_PATTERNS_C]
        spans: list[tuple[int, int]] = []
    else:
        match = py_def(completion, target.name, target.indent) if target.name else None
        if match:
            end = completion.find("\n", match.end())
            start = len(completion) if end < 0 else end
        sallm = target.body is not None
        patterns = [re.compile(re.escape(p)) for p in R3_PATTERNS] if sallm else [MAIN_GUARD]
        shift = len(context)
        spans = [(a - shift, b - shift) for a, b in string_spans(context + completion)
                 if b > shift]
    cuts = [m.start() for p in patterns for m in p.finditer(completion, start)
            if not any(a < m.start() + 1 < b for a, b in spans)]
    return completion[: min(cuts)] if cuts else completion


# --- continuation of the prompt -------------------------------------------------------------

def _line_complete(prefix: str, body: str | None) -> bool:
    """Whether the prompt's last line is complete (so the output starts a new line), as
    opposed to a prompt that stops mid-line (``    return `` or ``x = f(``)."""
    if prefix.endswith("\n"):
        return True
    if prefix[-1] in " \t":
        return False
    return compiles(prefix) or (body is not None and compiles(prefix + "\n" + body + "pass"))


def _retab(text: str, body: str, unit: str) -> str:
    """The output's leading tabs as the prompt's spaces, or its leading spaces as tabs."""
    out = []
    step = min((len(indent_of(ln)) for ln in text.splitlines()
                if ln.strip() and indent_of(ln) and "\t" not in indent_of(ln)), default=4)
    for line in text.split("\n"):
        lead = indent_of(line)
        if "\t" in body:
            new = "\t" * (len(lead.expandtabs(step)) // step) + " " * (
                len(lead.expandtabs(step)) % step)
        else:
            new = lead.replace("\t", unit)
        out.append(new + line[len(lead):])
    return "\n".join(out)


def _shapes(text: str, target: Target, complete: bool) -> list[tuple[list[str], str]]:
    """(repair notes, output) variants of a continuation, the most likely reading first."""
    body = target.body
    lines = text.split("\n")
    code_at = [i for i, ln in enumerate(lines) if ln.strip()]
    out: list[tuple[list[str], str]] = []
    if body and complete and len(code_at) > 1:
        first, second = lines[code_at[0]], lines[code_at[1]]
        # a def/class/decorator at column 0 is top-level code (R3's to cut) unless what
        # follows shows it nested: a decorated def indented, a def's body deeper than a
        # top-level def's would be
        nested = first.startswith("@") or len(indent_of(second).expandtabs()) > len(
            body.expandtabs())
        if not first[0].isspace() and second[0].isspace() and (
                nested or not _TOP_ONLY.match(first)):
            # GPT-3.5's shape: first body line unindented, the rest indented
            for ind in dict.fromkeys((body, indent_of(second))):
                shaped = list(lines)
                shaped[code_at[0]] = ind + first
                out.append((["R2:reindent"], "\n".join(shaped)))
    if body and complete and re.search(r"^return\b", text, re.MULTILINE) and not re.search(
            r"^(?:async[ \t]+)?(?:def|class)[ \t]", text, re.MULTILINE):
        # a body with no indentation at all: a return at column 0 is never top-level code,
        # and read as top-level code R3 would cut it at its first ``if``
        out.append((["R2:indent-body"], "\n".join(body + ln if ln.strip() else ln
                                                for ln in lines)))
    out.append(([], text))
    if body:
        leads = {indent_of(ln)[:1] for ln in lines if ln.strip() and indent_of(ln)}
        if ("\t" in body and " " in leads) or ("\t" not in body and "\t" in leads):
            unit = body[len(target.indent):] or "    "
            out += [([*notes, "R2:retab"], _retab(t, body, unit)) for notes, t in list(out)]
    return out


def continue_python(prefix: str, text: str, target: Target, cut: bool) -> Joined:
    """Prompt + output as a continuation: the first variant that compiles, else the most
    likely one."""
    complete = _line_complete(prefix, target.body)
    first: Joined | None = None
    for notes, shaped in _shapes(text, target, complete):
        if prefix.endswith("\n") or shaped.startswith("\n") or not shaped:
            seps = [""]
        else:
            seps = ["\n", ""] if complete else ["", "\n"]
        for sep in seps:
            context = prefix + sep
            kept = r3(shaped, "python", target, context) if cut else shaped
            rules = ["R2", *notes, *(["R2:newline"] if sep else [])]
            if kept != shaped:
                rules.append("R3")
            joined = Joined(context + kept, rules)
            if compiles(joined.code):
                return joined
            first = first or joined
    assert first is not None
    return first


def continue_c(prefix: str, text: str, target: Target, cut: bool) -> Joined:
    sep = ""
    if not (prefix.endswith("\n") or text.startswith("\n")) and text[:1] in (" ", "\t") \
            and prefix[-1] not in " \t":
        sep = "\n"
    kept = r3(text, "c", target) if cut else text
    rules = ["R2", *(["R2:newline"] if sep else []), *(["R3"] if kept != text else [])]
    return Joined(prefix + sep + kept, rules)


# --- the model's own program: merge what it lacks of the prompt ------------------------------

def _norm(text: str) -> str:
    return " ".join(text.split())


def _py_prompt_parts(prefix: str, target: Target) -> tuple[list[ast.stmt], str, str]:
    """(top-level statements before the target's definition, their source, the decorator
    lines of the target's ``def`` in the prompt)."""
    head, decorators = prefix, ""
    match = py_def(prefix, target.name, target.indent) if target.in_prompt and target.name \
        else None
    if match:
        lines = lines_of(prefix[: match.start()])
        at = len(lines)
        while at and lines[at - 1].lstrip().startswith("@"):
            at -= 1
        head, decorators = "".join(lines[:at]), "".join(lines[at:])
    for attempt in (head, "".join(ln for ln in lines_of(head)
                                  if re.match(r"(?:import|from)[ \t][^(]*$", ln))):
        # a prompt that does not parse: keep what is certain, its one-line imports
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return ast.parse(attempt).body, attempt, decorators
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    return [], "", decorators


def _bound(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        return {a.asname or a.name.split(".")[0] for a in node.names}
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    targets = node.targets if isinstance(node, ast.Assign) else \
        [node.target] if isinstance(node, ast.AnnAssign | ast.AugAssign) else []
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


def _header_end(lines: list[str]) -> int:
    """Index of the first line after the output's leading imports and comments."""
    depth, at = 0, 0
    for at, line in enumerate(lines):
        text = line.strip()
        if depth == 0 and text and not text.startswith("#") and not re.match(
                r"(?:import|from)[ \t]", line):
            return at
        depth = max(0, depth + line.count("(") - line.count(")"))
    return at + 1


def merges_python(code: str, prefix: str, target: Target) -> bool:
    """Whether ``code`` is the model's own program rather than a continuation: it defines
    the target, or (after a module-level prompt) rebinds a name the prompt's code binds."""
    if target.indent:
        return False  # a method: the class around it stays the prompt's
    first = next((ln for ln in code.split("\n") if is_code_line(ln, "python")), "")
    if first[:1].isspace():
        return False  # it starts in the prompt's body: a continuation, whatever follows
    if target.in_prompt:
        return defines(code, target, "python")
    prompt_names = top_level_names(prefix) - import_names(prefix)
    return bool(prompt_names & (top_level_names(code) - import_names(code)))


def merge_python(prefix: str, code: str, target: Target) -> Joined:
    nodes, head, decorators = _py_prompt_parts(prefix, target)
    lines = lines_of(head)
    have, have_imports, flat = top_level_names(code), import_names(code), _norm(code)
    future: list[str] = []
    imports: list[str] = []
    others: list[str] = []
    for index, node in enumerate(nodes):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and index == 0:
            continue  # the module docstring
        start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        text = "".join(lines[start - 1: node.end_lineno]).rstrip("\n")
        names = _bound(node)
        if isinstance(node, ast.Import | ast.ImportFrom):
            if names <= have_imports or _norm(text) in flat:
                continue
            (future if isinstance(node, ast.ImportFrom) and node.module == "__future__"
             else imports).append(text)
        elif (names and not names <= have) or (not names and _norm(text) not in flat):
            others.append(text)
    rules: list[str] = []
    body = code
    match = py_def(code, target.name, target.indent) if target.name else None
    if match and decorators.strip():
        above = [ln for ln in code[: match.start()].splitlines() if ln.strip()]
        if not (above and above[-1].lstrip().startswith("@")):
            body = code[: match.start()] + decorators + code[match.start():]
            rules.append("R2:decorators")
    if future or imports or others:
        out = lines_of(body)
        at = _header_end(out)
        text = "".join(t + "\n" for t in future) + "".join(out[:at]) + "".join(
            t + "\n" for t in imports)
        rest = "".join(out[at:])
        for part in (["\n".join(others) + "\n"] if others else []) + [rest]:
            if text.strip() and not text.endswith("\n\n") and not part.startswith("\n"):
                text += "\n"  # a blank line between the merged parts
            text += part
        body = text
        rules.insert(0, "R2:merge")
    return Joined(body, rules)


def _c_chunks(head: str) -> list[tuple[str, str]]:
    """Top-level pieces of C text: ("pp", preprocessor line) and ("decl", declaration or
    definition); comments are left out."""
    chunks: list[tuple[str, str]] = []
    i, start, depth = 0, -1, 0
    while i < len(head):
        j = c_skip(head, i)
        if j != i:
            if head[i] in "\"'" and start < 0:
                start = i
            i = j
            continue
        char = head[i]
        if start < 0 and char == "#":
            end = i
            while True:
                end = head.find("\n", end)
                if end < 0 or head[end - 1] != "\\":
                    break
                end += 1
            end = len(head) if end < 0 else end
            chunks.append(("pp", head[i:end].strip()))
            i = end
            continue
        if start < 0 and not char.isspace():
            start = i
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        if depth == 0 and start >= 0 and (char == ";" or (char == "}" and not re.match(
                r"[ \t]*[\w, \t*\[\]]*[;=]", head[i + 1:]))):
            chunks.append(("decl", head[start:i + 1].strip()))
            start = -1
        i += 1
    return chunks


def _decl_key(text: str) -> str:
    """What shows that a C program already has a declaration: ``struct point {`` for a
    definition with a body, the declarator before ``=`` for an initialized one."""
    brace, equals = text.find("{"), text.find("=")
    if brace >= 0 and (equals < 0 or brace < equals):
        return _norm(text[: brace + 1])
    return _norm(text[:equals] if equals >= 0 else text.rstrip(";"))


def merge_c(prefix: str, code: str, target: Target) -> Joined:
    found = c_def(prefix, target.name) if target.in_prompt and target.name else None
    head = prefix[: found[0]] if found else prefix
    flat = _norm(code)
    lines = {_norm(ln) for ln in code.splitlines()}
    missing = [text for kind, text in _c_chunks(head)
               if (kind == "pp" and _norm(text) not in lines)
               or (kind == "decl" and _decl_key(text) not in flat)]
    if not missing:
        return Joined(code)
    return Joined("\n".join(missing) + "\n\n" + code, ["R2:merge"])


# --- R2 + R3 --------------------------------------------------------------------------------

def join(code: str, prefix: str, language: str, target: Target, *, r2: bool = True,
         r3_enabled: bool = True) -> Joined:
    """R2 and R3 for an output ``code`` (after R1) of a prompt whose code is ``prefix``."""
    stripped = prefix.strip()
    if stripped in code:  # the output restates the whole prompt: SALLM's split
        at = code.find(stripped) + len(stripped)
        head, rest = code[:at], code[at:]
        kept = r3(rest, language, target, head) if r3_enabled else rest
        return Joined(head + kept, ["R3"] if kept != rest else [])
    if not r2:
        kept = cut_extra_code(code, language) if r3_enabled else code
        return Joined(kept, ["R3"] if kept != code else [])
    own = defines(code, target, "c") if language == "c" else \
        merges_python(code, prefix, target)
    if own:
        merged = merge_c(prefix, code, target) if language == "c" else \
            merge_python(prefix, code, target)
        if r3_enabled:
            kept = r3(merged.code, language, target)
            if kept != merged.code:
                merged = Joined(kept, [*merged.rules, "R3"])
        if any(r.startswith("R2") for r in merged.rules):
            merged.rules.insert(0, "R2")
        return merged
    if language == "c":
        return continue_c(prefix, code, target, r3_enabled)
    return continue_python(prefix, code, target, r3_enabled)


def code_lines(text: str, language: str) -> list[str]:
    """The stripped lines of ``text`` that carry code."""
    return [ln.strip() for ln in text.splitlines() if is_code_line(ln, language)]
