"""Shared pieces of vulnbench's semgrep pack: taint sources (web request data, user input,
parameters), sanitizers every taint rule knows, and the builders of rule dicts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

# request data of Flask / Django / FastAPI / Starlette handlers
WEB: list[dict[str, Any]] = [
    {"pattern": "flask.request"},
    {"patterns": [
        {"pattern-either": [{"pattern": "$REQ.$ATTR"}, {"pattern": "$REQ.$ATTR(...)"}]},
        {"metavariable-regex": {"metavariable": "$REQ", "regex": "^(request|req|self\\.request)$"}},
        {"metavariable-regex": {"metavariable": "$ATTR", "regex":
            "^(GET|POST|COOKIES|META|FILES|body|data|args|form|values|json|get_json|get_data|"
            "cookies|headers|files|query_params|path_params|query_string|stream|path|url|"
            "full_path)$"}},
    ]},
    # http.server / socketserver handlers
    {"patterns": [
        {"pattern-inside": "class $C(..., $BASE, ...):\n  ...\n"},
        {"metavariable-regex": {"metavariable": "$BASE", "regex":
            "^(http\\.server\\.|socketserver\\.)?\\w*(RequestHandler)$"}},
        {"pattern-either": [{"pattern": "self.path"}, {"pattern": "self.headers"},
                            {"pattern": "self.rfile"}, {"pattern": "self.requestline"}]}]},
    {"patterns": [
        {"pattern-inside": "@$APP.$M(...)\ndef $F(..., $P, ...):\n  ...\n"},
        {"metavariable-regex": {"metavariable": "$M", "regex":
            "^(route|get|post|put|patch|delete|api_route|websocket)$"}},
        {"pattern": "$P"},
    ]},
]
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
    {"patterns": [
        {"pattern-inside": "def $F(..., $P, ...):\n  ...\n"},
        {"pattern": "$P"},
        {"metavariable-regex": {"metavariable": "$P", "regex": "^(?!self$|cls$)"}},
    ]},
]
# string building: untrusted text spliced into code, a query, a command, a path
SPLICE: list[dict[str, Any]] = [
    {"pattern": "f\"...\""}, {"pattern": "$A + $B"}, {"pattern": "$A % $B"},
    {"pattern": "$S.format(...)"}, {"pattern": "$S.join(...)"},
    {"pattern": "os.path.join(...)"}, {"pattern": "$A / $B"},
]
# names of calls that validate their argument (mark_safe / unsafe_* only *say* "safe")
CHECK_NAME = ("(?i)^(?!.*(subprocess|check_output|check_call|os\\.|mark_safe|safestring|unsafe))"
              ".*(valid|saniti|safe|allow|check|verif|whitelist|ensure).*")
# an `if` that rejects (or replaces) the value unless a condition holds
REJECT_BODIES = ("$X = $V", "return ...", "raise $E", "abort(...)", "$APP.abort(...)", "continue")
CHECKED: list[dict[str, Any]] = [
    # a validation call on the value marks it checked afterwards
    {"by-side-effect": True, "patterns": [
        {"pattern-either": [{"pattern": "$CHECK(..., $X, ...)"},
                            {"pattern": "$CHECK(..., $K=$X, ...)"}]},
        {"metavariable-regex": {"metavariable": "$CHECK", "regex": CHECK_NAME}},
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
            "data|query|GET|POST|META|FILES|session|os|argv|sys|row|body|payload)).*$"}}]},
    {"pattern": "int(...)"}, {"pattern": "float(...)"}, {"pattern": "len(...)"},
    {"pattern": "bool(...)"}, {"pattern": "uuid.UUID(...)"},
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


def either(*patterns: str) -> dict[str, Any]:
    return {"pattern-either": [{"pattern": p} for p in patterns]}
