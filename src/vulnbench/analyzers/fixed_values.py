"""Which values in a Python program can only be fixed text: literals, shell-quoted pieces,
numbers, allow-listed names and lookups in literal tables. Used to tell a shell call or an SQL
string that nothing textual can inject into from one that takes user text (bandit reports both
alike)."""

from __future__ import annotations

import ast

_NUMERIC_CALLS = frozenset({"int", "len", "float", "round", "abs", "min", "max"})
_QUOTERS = frozenset({"shlex.quote", "pipes.quote", "shlex.join", "quote"})
_SHELL_CALLS = frozenset({"os.system", "os.popen", "subprocess.run", "subprocess.call",
                          "subprocess.Popen", "subprocess.check_call",
                          "subprocess.check_output", "subprocess.getoutput",
                          "subprocess.getstatusoutput"})



def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


class _Fixed:
    """Whether an expression can only be literal text or shell-quoted text: names are followed
    to their assignments in the enclosing function (or the module); a parameter is not fixed."""

    def __init__(self, tree: ast.Module, line: int, numeric: bool = False) -> None:
        self.numeric = numeric  # SQL: text is fixed only as a literal; numbers are fixed
        self.line = line
        self.scope: ast.AST = tree
        self.params: set[str] = set()
        for fn in ast.walk(tree):
            if (isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
                    and fn.lineno <= line <= (fn.end_lineno or fn.lineno)):
                self.scope = fn  # the innermost one wins: walk goes outer to inner
                self.params = {a.arg for a in ast.walk(fn.args) if isinstance(a, ast.arg)}
        self.tree = tree

    def _assigned(self, name: str) -> list[ast.expr]:
        for scope in (self.scope, self.tree):
            values = [n.value for n in ast.walk(scope)
                      if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign))
                      and n.value is not None
                      and any(isinstance(t, ast.Name) and t.id == name
                              for t in (n.targets if isinstance(n, ast.Assign) else [n.target]))]
            if values:
                return values
        return []

    def __call__(self, node: ast.expr | None, depth: int = 0) -> bool:
        if node is None or depth > 6:
            return False

        def sub(n: ast.expr | None) -> bool:
            return self(n, depth + 1)

        if isinstance(node, ast.Constant):
            return isinstance(node.value, (str, bytes, int, float))
        if isinstance(node, ast.JoinedStr):
            return all(sub(v) for v in node.values)
        if isinstance(node, ast.FormattedValue):
            return sub(node.value)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
            return sub(node.left) and sub(node.right)
        if (self.numeric and isinstance(node, ast.BinOp)
                and isinstance(node.op, (ast.Sub, ast.Mult, ast.FloorDiv))):
            return sub(node.left) and sub(node.right)
        if self.numeric and isinstance(node, ast.Call) and _dotted(node.func) in _NUMERIC_CALLS:
            # int(x) raises on anything but a number; min/max of numbers stay numbers
            return _dotted(node.func) not in ("min", "max") or all(sub(a) for a in node.args)
        if isinstance(node, (ast.Tuple, ast.List)):
            return all(sub(e) for e in node.elts)
        if isinstance(node, ast.IfExp):
            return sub(node.body) and sub(node.orelse)
        if isinstance(node, ast.Subscript) and self._constant_table(node.value):
            return True  # TABLE[key]: one of the table's literals, or KeyError
        if isinstance(node, ast.Call):
            func = _dotted(node.func)
            if (isinstance(node.func, ast.Attribute) and node.func.attr == "get"
                    and self._constant_table(node.func.value)):
                return all(sub(a) for a in node.args[1:])  # the default must be fixed too
            if func in _QUOTERS:
                return not self.numeric
            if isinstance(node.func, ast.Attribute) and node.func.attr in ("format", "join"):
                return (sub(node.func.value) and all(sub(a) for a in node.args)
                        and all(sub(k.value) for k in node.keywords))
            return False
        if isinstance(node, ast.Name) and self._allow_listed(node.id):
            return True
        if isinstance(node, ast.Name) and node.id not in self.params:
            values = self._assigned(node.id)
            return bool(values) and all(sub(v) for v in values)
        return False

    def _constant_table(self, node: ast.expr) -> bool:
        """A module-level dict (or list / tuple) whose values are all literals: a lookup in it
        is an allow-list."""
        if not isinstance(node, ast.Name):
            return False
        values = [n.value for n in self.tree.body if isinstance(n, ast.Assign)
                  and any(isinstance(t, ast.Name) and t.id == node.id for t in n.targets)]
        if len(values) != 1:
            return False
        table = values[0]
        items = (table.values if isinstance(table, ast.Dict)
                 else table.elts if isinstance(table, (ast.List, ast.Tuple)) else None)
        return items is not None and all(
            isinstance(v, ast.Constant) and isinstance(v.value, (str, int)) for v in items)

    def _allow_listed(self, name: str) -> bool:
        """`if name not in ALLOWED:` whose branch replaces it by a literal or leaves (return,
        raise, abort(...)) before the sink: only the allow-list's values get through."""
        for node in ast.walk(self.scope):
            if not (isinstance(node, ast.If) and node.lineno < self.line and node.body
                    and isinstance(node.test, ast.Compare) and len(node.test.ops) == 1
                    and isinstance(node.test.ops[0], ast.NotIn)
                    and isinstance(node.test.left, ast.Name) and node.test.left.id == name):
                continue
            end = node.end_lineno or node.lineno
            if any(end < v.lineno < self.line for v in self._assigned(name)):
                continue  # replaced again after the check
            last = node.body[-1]
            if isinstance(last, (ast.Return, ast.Raise)):
                return True
            if isinstance(last, ast.Expr) and isinstance(last.value, ast.Call) and _dotted(
                    last.value.func).rsplit(".", 1)[-1] == "abort":
                return True
            if (isinstance(last, ast.Assign) and isinstance(last.value, ast.Constant)
                    and any(isinstance(t, ast.Name) and t.id == name for t in last.targets)):
                return True
        return False


def fixed_shell_command(code: str, line: int) -> bool:
    """True when the shell call on ``line`` runs a command made of literals and shlex.quote'd
    values only (so a shell-injection finding there is a false positive)."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.lineno == line
             and _dotted(n.func) in _SHELL_CALLS]
    if not calls:
        return False
    call = calls[0]
    command = call.args[0] if call.args else next(
        (k.value for k in call.keywords if k.arg in ("args", "cmd", "command")), None)
    return _Fixed(tree, line)(command)


def numeric_sql(code: str, line: int) -> bool:
    """True when every string built on ``line`` (f-string, % or .format) interpolates only
    numbers and literals (so a B608 SQL-injection finding there is a false positive)."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    built: list[ast.expr] = [
        n for n in ast.walk(tree) if getattr(n, "lineno", None) == line and (
            isinstance(n, ast.JoinedStr)
            or (isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Mod, ast.Add)))
            or (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                and n.func.attr == "format"))]
    check = _Fixed(tree, line, numeric=True)
    return bool(built) and all(check(n) for n in built)
