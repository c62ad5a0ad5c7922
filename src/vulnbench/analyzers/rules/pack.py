"""Shared pieces of vulnbench's semgrep pack: taint sources (web request data, user input,
parameters), sanitizers every taint rule knows, and the builders of rule dicts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

def either(*patterns: str) -> dict[str, Any]:
    return {"pattern-either": [{"pattern": p} for p in patterns]}


# a parameter as the source (the signature, not each use: a validating call on it then
# cleans the later uses)
_PARAM: list[dict[str, Any]] = [
    {"metavariable-regex": {"metavariable": "$P", "regex": "^(?!(self|cls)$)"}},
    {"focus-metavariable": "$P"}]
# functions named as request handlers (not error / signal handlers, whose parameter is an
# exception or a signal number)
HANDLER_NAME = ("^(?!.*(error|exception|signal|exc_))(handle_\\w+|\\w+_handler|\\w+_view|"
                "\\w+_endpoint|on_request|on_message|process_request|"
                "do_(GET|POST|PUT|PATCH|DELETE|HEAD))$")
# request data of Flask / Django / FastAPI / Starlette / aiohttp handlers
WEB: list[dict[str, Any]] = [
    {"pattern": "flask.request"},
    {"patterns": [
        {"pattern-either": [{"pattern": "$REQ.$ATTR"}, {"pattern": "$REQ.$ATTR(...)"}]},
        {"metavariable-regex": {"metavariable": "$REQ", "regex": "^(request|req|self\\.request)$"}},
        {"metavariable-regex": {"metavariable": "$ATTR", "regex":
            "^(GET|POST|COOKIES|META|FILES|body|data|args|form|values|json|get_json|get_data|"
            "cookies|headers|files|query_params|path_params|query_string|stream|path|url|"
            "full_path|match_info|query|rel_url|post|text|read|content|multipart)$"}},
    ]},
    # http.server / socketserver handlers
    {"patterns": [
        {"pattern-inside": "class $C(..., $BASE, ...):\n  ...\n"},
        {"metavariable-regex": {"metavariable": "$BASE", "regex":
            "^(http\\.server\\.|socketserver\\.)?\\w*(RequestHandler)$"}},
        {"pattern-either": [{"pattern": "self.path"}, {"pattern": "self.headers"},
                            {"pattern": "self.rfile"}, {"pattern": "self.requestline"}]}]},
    {"patterns": [
        {"pattern": "@$APP.$M(...)\ndef $F(..., $P, ...):\n  ...\n"},
        {"metavariable-regex": {"metavariable": "$M", "regex":
            "^(route|get|post|put|patch|delete|api_route|websocket)$"}},
        *_PARAM,
    ]},
    # fragments show the handler alone: a function named as one takes the request's data
    {"patterns": [
        {"pattern": "def $F(..., $P, ...):\n  ...\n"},
        {"metavariable-regex": {"metavariable": "$F", "regex": HANDLER_NAME}},
        *_PARAM,
    ]},
    # a Django view (or aiohttp handler): the parameters after `request` come from the URL
    {"patterns": [
        {"pattern-either": [{"pattern": "def $F(request, ..., $P, ...):\n  ...\n"},
                            {"pattern": "def $F(self, request, ..., $P, ...):\n  ...\n"}]},
        *_PARAM,
    ]},
]


def _stored_in_self(value: list[dict[str, Any]]) -> dict[str, Any]:
    """``self.attr`` anywhere in a class one of whose methods stores ``value`` in it
    (semgrep OSS does not follow taint from one method to another)."""
    return {"patterns": [
        {"pattern-inside": "class $C(...):\n  ...\n  def $M(...):\n    ...\n    self.$A = $E\n"
                           "    ...\n  ...\n"},
        {"metavariable-pattern": {"metavariable": "$E", "pattern-either": value}},
        {"pattern": "self.$A"}]}


WEB.append(_stored_in_self([{"pattern": "flask.request"}, WEB[1]]))
USER: list[dict[str, Any]] = [
    {"pattern": "input(...)"},
    {"pattern": "sys.argv"},
    {"pattern": "sys.stdin"},
    {"pattern": "os.environ"},
    {"pattern": "os.getenv(...)"},
    {"pattern": "$PARSER.parse_args(...)"},
    {"pattern": "$SOCK.recv(...)"},
    {"pattern": "$SOCK.recvfrom(...)"},
]
PARAMS: list[dict[str, Any]] = [
    {"patterns": [{"pattern": "def $F(..., $P, ...):\n  ...\n"}, *_PARAM]},
    # a method's parameter kept in self (`self.name = name` in __init__)
    {"patterns": [
        {"pattern-inside": "class $C(...):\n  ...\n  def $M(self, ..., $P, ...):\n    ...\n"
                           "    self.$A = $P\n    ...\n  ...\n"},
        {"pattern": "self.$A"}]},
]
# string building: untrusted text spliced into code, a query, a command, a path
SPLICE: list[dict[str, Any]] = [
    {"pattern": "f\"...\""}, {"pattern": "$A + $B"}, {"pattern": "$A % $B"},
    {"pattern": "$S.format(...)"}, {"pattern": "$S.join(...)"},
    {"pattern": "os.path.join(...)"}, {"pattern": "$A / $B"},
]
# a call to a helper of the same file that returns a string it splices together
_SPLICING = ["return f\"...\"", "return $X + $Y", "return $X % $Y", "return $S.format(...)",
             "$R = f\"...\"\n    ...\n    return $R", "$R = $X + $Y\n    ...\n    return $R",
             "$R = $X % $Y\n    ...\n    return $R", "$R = $S.format(...)\n    ...\n    return $R"]
SPLICE.append({"patterns": [
    {"pattern-either": [
        *({"pattern-inside": f"def $H(..., $A, ...):\n    ...\n    {ret}\n...\n"}
          for ret in _SPLICING),
        *({"pattern-inside": f"def $G(...):\n    ...\n...\ndef $H(..., $A, ...):\n    ...\n"
                             f"    {ret}\n"} for ret in _SPLICING)]},
    {"pattern": "$H(...)"}]})
# names of calls that validate their argument (mark_safe / unsafe_* only *say* "safe")
CHECK_NAME = ("(?i)^(?!.*(subprocess|check_output|check_call|os\\.|mark_safe|safestring|unsafe))"
              ".*(valid|saniti|safe|allow|check|verif|whitelist|ensure).*")
# an `if` that rejects (or replaces) the value unless a condition holds
REJECT_BODIES = ("$X = $V", "return ...", "raise $E", "abort(...)", "$APP.abort(...)", "continue")
# bodies of a helper that only *says* it checks: a stub left for later, or one that passes
# everything (fragments often define `def validate(x): pass` and call it); a body of `...`
# cannot be told apart in a pattern, where `...` matches any body
STUB_BODIES = ("pass", "return True", "return $ARG", "return None")


def _stub_defs(name: str) -> list[str]:
    """``def name(...)`` with a stub body (with or without a docstring)."""
    return [f"def {name}(..., $ARG, ...):\n  {doc}{body}\n"
            for body in STUB_BODIES for doc in ("", "\"...\"\n  ")]


def _args(call: str) -> dict[str, Any]:
    return {"pattern-either": [{"pattern": f"{call}(..., $X, ...)"},
                               {"pattern": f"{call}(..., $K=$X, ...)"}]}


CHECKED: list[dict[str, Any]] = [
    # a validation call on the value marks it checked afterwards, unless the file shows the
    # validator is a stub (defined before the caller or after it, or as a method of its class)
    {"by-side-effect": True, "patterns": [
        {"pattern-either": [
            {"patterns": [
                _args("$CHECK"), {"pattern-not": "self.$M(...)"},
                {"metavariable-regex": {"metavariable": "$CHECK", "regex": CHECK_NAME}},
                *({"pattern-not-inside": f"{stub}...\n"} for stub in _stub_defs("$CHECK")),
                *({"pattern-not-inside": f"def $G(...):\n  ...\n...\n{stub}"}
                  for stub in _stub_defs("$CHECK"))]},
            {"patterns": [
                _args("self.$M"),
                {"metavariable-regex": {"metavariable": "$M", "regex": CHECK_NAME}},
                *({"pattern-not-inside": "class $C(...):\n  ...\n  "
                                         + stub.replace("\n", "\n  ") + "...\n"}
                  for stub in _stub_defs("$M"))]}]},
        {"focus-metavariable": "$X"}]},
    # membership in an allow-list: inside `if x in ALLOWED:` and after
    # `if x not in ALLOWED: <reject or replace>`
    {"patterns": [
        {"pattern-either": [
            {"pattern-inside": "if <... $X in $ALLOWED ...>:\n  ...\n"},
            *({"pattern-inside": f"if <... $X not in $ALLOWED ...>:\n  {body}\n...\n"}
              for body in REJECT_BODIES)]},
        {"pattern": "$X"}]},
    # a route parameter declared with a numeric / uuid converter (Flask, Django paths)
    {"patterns": [
        {"pattern-inside": "@$APP.$M($PATH, ...)\ndef $F(..., $P, ...):\n  ...\n"},
        {"pattern": "$P"},
        {"metavariable-pattern": {"metavariable": "$PATH", "language": "generic",
                                  "pattern-either": [{"pattern": "<int:$P>"},
                                                     {"pattern": "<float:$P>"},
                                                     {"pattern": "<uuid:$P>"}]}}]},
    # parsing into an IP address accepts nothing else
    {"pattern": "ipaddress.$F(...)"},
    # request attributes the server derives itself
    {"patterns": [{"pattern": "$REQ.$ATTR"}, {"metavariable-regex": {"metavariable": "$REQ",
                  "regex": "^(flask\\.)?(request|req|self\\.request)$"}},
                  {"metavariable-regex": {"metavariable": "$ATTR", "regex":
                   "^(remote_addr|method|endpoint|content_length|is_secure|is_json|scheme|"
                   "user|blueprint|access_route)$"}}]},
    {"patterns": [
        {"pattern-either": [{"pattern": "$D.get(...)"}, {"pattern": "$D[...]"}]},
        {"metavariable-regex": {"metavariable": "$D", "regex":
            "(?i)^(?!.*(request|req|args|form|values|params|environ|headers|cookies|json|"
            "data|query|GET|POST|META|FILES|session|os|argv|sys|row|body|payload|qs)).*$"}}]},
    # conversions yield a number / a flag (but an eval inside them still runs the text)
    # (only of a value: `len(tree.xpath(q))` still runs the query it wraps)
    {"patterns": [either("int(...)", "float(...)", "len(...)", "bool(...)", "uuid.UUID(...)"),
                  {"pattern-not": "$CONV(<... eval(...) ...>)"},
                  {"pattern-not": "$CONV(<... exec(...) ...>)"},
                  *({"pattern-not": f"$CONV(<... $O.{sink}(...) ...>)"}
                    for sink in ("xpath", "execute", "find", "findall", "search_s", "search"))]},
]
OPTIONS = {"taint_assume_safe_numbers": True, "taint_assume_safe_booleans": True,
           "taint_assume_safe_indexes": True, "taint_assume_safe_comparisons": True}


def spliced_sources(direct: list[dict[str, Any]], spliced_from: list[dict[str, Any]],
                    splice: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """``direct`` sources taint a sink as they are; ``spliced_from`` (function parameters)
    only once spliced into a string."""
    out: list[dict[str, Any]] = [{"label": "SPLICED", **s} for s in direct]
    out += [{"label": "INPUT", **s} for s in spliced_from + direct]
    out += [{"label": "SPLICED", "requires": "INPUT", **s} for s in splice or SPLICE]
    return out


def sinks(patterns: list[str], focus: bool = True, requires: str | None = "SPLICED"
          ) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for p in patterns:
        sink: dict[str, Any] = ({"patterns": [{"pattern": p}, {"focus-metavariable": "$X"}]}
                                if focus and "$X" in p else {"pattern": p})
        if requires:
            sink = {"requires": requires, **sink}
        out.append(sink)
    return out


def taint(rid: str, cwe: str, msg: str, sink_patterns: list[str], *,
          direct: list[dict[str, Any]] | None = None,
          spliced: list[dict[str, Any]] | None = None,
          sanitizers: list[dict[str, Any]] | None = None, severity: str = "ERROR",
          labels: bool = True, splice: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    direct = WEB + USER if direct is None else direct
    spliced = PARAMS if spliced is None else spliced
    rule: dict[str, Any] = {
        "id": rid, "mode": "taint", "languages": ["python"], "severity": severity,
        "message": msg, "metadata": {"cwe": [cwe], "category": "security",
                                     "confidence": "MEDIUM"},
        "options": OPTIONS,
    }
    if labels:
        rule["pattern-sources"] = spliced_sources(direct, spliced, splice)
        rule["pattern-sinks"] = sinks(sink_patterns)
    else:
        rule["pattern-sources"] = direct + spliced
        rule["pattern-sinks"] = sinks(sink_patterns, requires=None)
    rule["pattern-sanitizers"] = (sanitizers or []) + CHECKED
    return rule


def search(rid: str, cwe: str | list[str], msg: str, body: dict[str, Any],
           severity: str = "WARNING", language: str = "python") -> dict[str, Any]:
    return {"id": rid, "languages": [language], "severity": severity, "message": msg,
            "metadata": {"cwe": [cwe] if isinstance(cwe, str) else cwe,
                         "category": "security", "confidence": "MEDIUM"}, **body}


