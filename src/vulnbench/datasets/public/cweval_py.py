"""CWEval's Python tasks: the prompt of ``cwe_XXX_N_task.py`` and the insecure reference, which
CWEval keeps inside ``cwe_XXX_N_test.py`` as a function ``{entry}_unsafe``: the task file
with its solution replaced by that function (renamed to the entry point), plus the test file's
imports and helpers the function uses, so that ``dataset check`` can prove the pair."""

from __future__ import annotations

import ast
import builtins
import re

from vulnbench.errors import DatasetError

_MARKER = re.compile(r"^[ \t]*(?:#|//|/\*)[ \t]*BEGIN SOLUTION.*$", re.MULTILINE)
_BUILTINS = frozenset(dir(builtins))
Stmt = ast.stmt


def python_prompt(code: str, where: str) -> tuple[str, str]:
    """(code prompt, entry point) of a Python task file."""
    try:
        tree = ast.parse(code)
    except SyntaxError as err:
        raise DatasetError(f"{where}:{err.lineno}: task file does not parse: {err.msg}") from None
    marker = _MARKER.search(code)
    funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    documented = [f for f in funcs if ast.get_docstring(f) is not None]
    if marker:
        prompt = code[:marker.start()]
        before = [f for f in funcs if f.lineno <= prompt.count("\n") + 1]
        return prompt, (before[-1].name if before else funcs[0].name if funcs else "")
    if not documented:
        raise DatasetError(f"{where}: no documented function to take the prompt from "
                           "(and no BEGIN SOLUTION marker)")
    func = documented[0]
    doc = func.body[0]
    end = doc.end_lineno or doc.lineno
    lines = code.splitlines(keepends=True)
    return "".join(lines[:end]).rstrip("\n") + "\n", func.name


def _bound(stmt: Stmt) -> set[str]:
    """Names a top-level statement binds."""
    if isinstance(stmt, ast.Import):
        return {(a.asname or a.name).split(".")[0] for a in stmt.names}
    if isinstance(stmt, ast.ImportFrom):
        return {a.asname or a.name for a in stmt.names}
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {stmt.name}
    if isinstance(stmt, ast.Assign | ast.AnnAssign | ast.AugAssign):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return set()


def _used(node: ast.AST) -> set[str]:
    """Names ``node`` reads that it does not bind itself (a function's parameters and locals)."""
    loads = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)
             and isinstance(n.ctx, ast.Load)}
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        args = node.args
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs,
                  *[a for a in (args.vararg, args.kwarg) if a]]
        stores = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)
                  and isinstance(n.ctx, ast.Store)}
        loads -= {p.arg for p in params} | stores
    return loads


def _is_test_machinery(stmt: Stmt, task_module: str) -> bool:
    """pytest, the task module (the sample stands in for it) and test functions."""
    if isinstance(stmt, ast.Import):
        return any(a.name.split(".")[0] in ("pytest", task_module) for a in stmt.names)
    if isinstance(stmt, ast.ImportFrom):
        return (stmt.module or "").split(".")[0] in ("pytest", task_module)
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
        return stmt.name.startswith(("test", "_test"))
    return False


def _segment(lines: list[str], node: Stmt) -> str:
    decorators = getattr(node, "decorator_list", [])
    start = min([node.lineno, *[d.lineno for d in decorators]])
    text = "".join(lines[start - 1:node.end_lineno or node.lineno])
    return text if text.endswith("\n") else text + "\n"


def _unsafe_def(tree: ast.Module, entry: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    defs = [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    exact = [d for d in defs if d.name == f"{entry}_unsafe"]
    if exact:
        return exact[0]
    loose = [d for d in defs if d.name.endswith("_unsafe") and not d.name.startswith(
        ("test", "_test"))]
    return loose[0] if len(loose) == 1 else None


def insecure_reference(task_code: str, test_code: str, entry: str, task_module: str
                       ) -> tuple[str, str]:
    """(insecure reference, why there is none): the task file with ``entry`` replaced by the
    test file's unsafe variant, renamed, with the imports and helpers it needs."""
    try:
        task_tree, test_tree = ast.parse(task_code), ast.parse(test_code)
    except SyntaxError as err:
        return "", f"does not parse (line {err.lineno}: {err.msg})"
    target = next((n for n in task_tree.body if isinstance(
        n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == entry), None)
    unsafe = _unsafe_def(test_tree, entry)
    if target is None:
        return "", f"no top-level function {entry!r} in the task file"
    if unsafe is None:
        return "", f"no {entry}_unsafe function in the test file"
    have = set().union(*(_bound(s) for s in task_tree.body)) | _BUILTINS
    candidates = [s for s in test_tree.body
                  if s is not unsafe and not _is_test_machinery(s, task_module)]
    needed, taken, todo = set(), [], _used(unsafe) - have
    while todo:
        needed |= todo
        new = [s for s in candidates if s not in taken and _bound(s) & todo]
        taken += new
        todo = set().union(*(_used(s) for s in new)) - have - needed if new else set()
    taken.sort(key=lambda s: s.lineno)
    test_lines = test_code.splitlines(keepends=True)
    imports = "".join(_segment(test_lines, s) for s in taken
                      if isinstance(s, ast.Import | ast.ImportFrom))
    helpers = "".join(_segment(test_lines, s) + "\n\n" for s in taken
                      if not isinstance(s, ast.Import | ast.ImportFrom))
    body = re.sub(rf"\b{re.escape(unsafe.name)}\b", entry, _segment(test_lines, unsafe))
    lines = task_code.splitlines(keepends=True)
    start = min([target.lineno, *[d.lineno for d in target.decorator_list]])
    end = target.end_lineno or target.lineno
    head = [s for s in task_tree.body if s.lineno < start and (
        isinstance(s, ast.Import | ast.ImportFrom) or (isinstance(s, ast.Expr) and s is
                                                       task_tree.body[0]))]
    at = max((s.end_lineno or s.lineno for s in head), default=0)
    code = "".join([*lines[:at], imports, *lines[at:start - 1], helpers, body, *lines[end:]])
    try:
        ast.parse(code)
    except SyntaxError as err:  # pragma: no cover - both inputs parsed; a guard, not a path
        return "", f"the assembled reference does not parse (line {err.lineno}: {err.msg})"
    return code, ""
