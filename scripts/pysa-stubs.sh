#!/usr/bin/env bash
# Builds the type stubs Pysa reads for the web and database libraries (.venv-pysa/stubs):
# each library's .py files as .pyi without function bodies.
# Pysa analyzes every .py file on its search path: with the libraries' sources there, one run
# over a flask+sqlalchemy sample took minutes and then crashed while writing its results. With
# stubs only, library calls are opaque (taint passes through them) and only our models speak.
# Caching descriptors (werkzeug's cached_property, aiohttp's reify) become properties so that
# request.args/form/query... read as the request's properties (Pysa applies a property's
# model; it does not see the descriptor).
set -euo pipefail
VENV=$(cd "${1:-.venv-pysa}" && pwd)
SITE=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
OUT="$VENV/stubs"
rm -rf "$OUT.tmp" && mkdir -p "$OUT.tmp"
PKGS="flask werkzeug jinja2 markupsafe django sqlalchemy requests yaml fastapi starlette aiohttp httpx jsonpickle ldap3 pymysql"
# each library's own sources as .pyi with every function body cut to `...`: the same names and
# annotations, read as stubs (a .pyi that keeps its bodies is still analyzed by Pysa)
"$VENV/bin/python" - "$SITE" "$OUT.tmp" $PKGS <<'PY'
import ast, pathlib, re, sys
site, out, pkgs = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3:]

KEEP = re.compile(r"(^|[.])(property|cached_property|staticmethod|classmethod|overload|abstractmethod|"
                  r"final|override|setter|getter|deleter|reify|memoized_property)$")
# caching descriptors (werkzeug's and functools' cached_property, aiohttp's reify) read as
# properties: Pysa applies a property's model, it does not see through the descriptor
CACHED = re.compile(r"(^|[.])(cached_property|reify|memoized_property)$")


class Cut(ast.NodeTransformer):
    """Function bodies become `...`; the attributes a class sets on self in its methods are
    declared in the class body (annotated as there, else typing.Any)."""

    def visit_ClassDef(self, node):
        known = {t.id for st in node.body for t in getattr(st, "targets", [getattr(st, "target", None)])
                 if isinstance(t, ast.Name)}
        known |= {st.name for st in node.body if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef))}
        hoisted = {}
        for meth in node.body:
            if not isinstance(meth, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for st in ast.walk(meth):
                targets = st.targets if isinstance(st, ast.Assign) else [st.target] if isinstance(st, ast.AnnAssign) else []
                for t in targets:
                    if (isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"
                            and t.attr not in known and (t.attr not in hoisted or isinstance(st, ast.AnnAssign))):
                        hoisted[t.attr] = st.annotation if isinstance(st, ast.AnnAssign) else ast.parse("typing.Any", mode="eval").body
        self.generic_visit(node)
        node.body = [ast.AnnAssign(ast.Name(k, ast.Store()), v, None, 1) for k, v in hoisted.items()] + node.body
        return node

    def visit_FunctionDef(self, node):
        body = [st for st in node.body if not (isinstance(st, ast.Expr) and isinstance(st.value, ast.Constant))]
        if (node.returns is None and len(body) == 1 and isinstance(body[0], ast.Return)
                and isinstance(body[0].value, ast.Name) and body[0].value.id == "self"):
            node.returns = ast.parse("typing.Self", mode="eval").body  # fluent API, `with x as y`
        node.body = [ast.Expr(ast.Constant(...))]
        # an untyped decorator (django's @async_unsafe) would hide the signature: keep only
        # the ones that say what kind of member this is
        node.decorator_list = [ast.Name("property") if CACHED.search(ast.unparse(d)) else d
                               for d in node.decorator_list if KEEP.search(ast.unparse(d))]
        return node
    visit_AsyncFunctionDef = visit_FunctionDef

for pkg in pkgs:
    for src in sorted((site / pkg).rglob("*.py*")) if (site / pkg).is_dir() else []:
        if src.suffix not in (".py", ".pyi") or (src.suffix == ".py" and src.with_suffix(".pyi").exists()):
            continue
        dest = out / src.relative_to(site).with_suffix(".pyi")
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            tree = Cut().visit(ast.parse(src.read_text(encoding="utf-8", errors="replace")))
            dest.write_text("import typing\n" + ast.unparse(tree), encoding="utf-8")
        except (SyntaxError, ValueError, RecursionError):
            pass

# Django's raw connection is a proxy (typed Any): declare what it forwards to, so that
# connection.cursor().execute(sql) reaches the CursorWrapper.execute model
PATCH = {
    "django/db/__init__.pyi": [("connection = ConnectionProxy(connections, DEFAULT_DB_ALIAS)",
                                "from django.db.backends.base.base import BaseDatabaseWrapper\n"
                                "connection: BaseDatabaseWrapper")],
    "django/db/backends/base/base.pyi": [("    def cursor(self):",
                                          "    def cursor(self) -> 'django.db.backends.utils.CursorWrapper':")],
}
for rel, edits in PATCH.items():
    path = out / rel
    if path.exists():
        text = path.read_text(encoding="utf-8")
        for old, new in edits:
            text = text.replace(old, new)
        if "django.db.backends.utils" in text and rel.endswith("base.pyi"):
            text = "import django.db.backends.utils\n" + text
        path.write_text(text, encoding="utf-8")
PY
[ -d "$SITE/lxml-stubs" ] && cp -r "$SITE/lxml-stubs" "$OUT.tmp/lxml"
find "$OUT.tmp" -name '*.pyi' -exec sed -i 's/^\( *\)@cached_property$/\1@property/' {} +  # lxml-stubs
# what the stubs were cut from (library versions, this script): part of the analyzer's cache key
{ "$VENV/bin/python" -m pip freeze 2>/dev/null; cat "$0"; } | sha256sum | cut -c1-16 > "$OUT.tmp/.stamp"
rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"
