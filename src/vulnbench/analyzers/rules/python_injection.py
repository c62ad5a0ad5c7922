"""Python rules, injections: untrusted data reaching a command, a query, a path, a page, a
header, a log line, an LDAP/XPath/NoSQL query or code; errors shown to the client."""

from __future__ import annotations

from typing import Any

from vulnbench.analyzers.rules.pack import PARAMS, REJECT_BODIES, USER, WEB, either, search, taint

PY: dict[str, list[dict[str, Any]]] = {}

PY["cwe-078-command-injection"] = [taint(
    "vb-py-command-injection", "CWE-78: OS Command Injection",
    "Untrusted data reaches a shell command; pass an argument list without a shell.",
    ["os.system($X)", "os.popen($X, ...)", "subprocess.$F($X, ..., shell=True, ...)",
     "subprocess.getoutput($X)", "subprocess.getstatusoutput($X)",
     "asyncio.create_subprocess_shell($X, ...)",
     "subprocess.$F([\"$SH\", \"-c\", $X, ...], ...)", "pty.spawn($X)"],
    sanitizers=[{"pattern": "shlex.quote(...)"}, {"pattern": "pipes.quote(...)"}])]
# a shell command string taken whole from a parameter: in a fragment the caller is not shown,
# and a function that hands its argument to a shell runs whatever it is given (measured on
# the dev corpus and the built-in references: no false positive)
for _sink in PY["cwe-078-command-injection"][0]["pattern-sinks"]:
    _sink["requires"] = "INPUT"

PY["cwe-089-sql-injection"] = [taint(
    "vb-py-sql-injection", "CWE-89: SQL Injection",
    "Untrusted data is spliced into a SQL statement; use bound parameters.",
    ["$C.execute($X, ...)", "$C.executemany($X, ...)", "$C.executescript($X, ...)",
     "$M.objects.raw($X, ...)", "$Q.extra(...)", "sqlalchemy.text($X)", "text($X)",
     "pandas.read_sql($X, ...)", "pandas.read_sql_query($X, ...)", "$C.mogrify($X, ...)"],
    sanitizers=[{"pattern": "$C.quote_identifier(...)"}, {"pattern": "sql.Identifier(...)"},
                {"pattern": "sql.Literal(...)"}])]

PATH_SPLICE: list[dict[str, Any]] = [
    {"patterns": [{"pattern": "os.path.join($B, ..., $N)"}, {"focus-metavariable": "$N"}]},
    {"patterns": [{"pattern": "$B / $N"}, {"focus-metavariable": "$N"}]},
    {"patterns": [{"pattern": "$B + $N"}, {"focus-metavariable": "$N"}]},
    {"patterns": [{"pattern": "f\"...{$N}\""}, {"focus-metavariable": "$N"}]},
    {"patterns": [{"pattern": "$S.format(..., $N, ...)"}, {"focus-metavariable": "$N"}]},
]
# a call to a helper of the same file that rejects (raise / abort) a path that leaves its
# folder (a commonpath / startswith / is_relative_to check): its result is confined
_CONTAIN = ("os.path.commonpath(...)", "$Q.startswith(...)", "$Q.is_relative_to(...)")
_REJECT = ("raise $E", "abort(...)", "$APP.abort(...)")
_CONFINES = [f"def $H(...):\n    ...\n    if <... {c} ...>:\n        {r}\n    ...\n"
             for c in _CONTAIN for r in _REJECT]
CONFINING_HELPER: list[dict[str, Any]] = [{"patterns": [
    {"pattern-either": [
        *({"pattern-inside": f"{d}...\n"} for d in _CONFINES),
        *({"pattern-inside": f"def $G(...):\n    ...\n...\n{d}"} for d in _CONFINES)]},
    {"pattern": "$H(...)"}]}]
PY["cwe-022-path-traversal"] = [taint(
    "vb-py-path-traversal", "CWE-22: Path Traversal",
    "A file path built from untrusted data is used without confining it to its folder.",
    ["open($X, ...)", "io.open($X, ...)", "flask.send_file($X, ...)", "send_file($X, ...)",
     "os.remove($X)", "os.unlink($X)", "os.rmdir($X)", "shutil.rmtree($X, ...)",
     "shutil.copy($X, ...)", "shutil.copyfile($X, ...)", "shutil.move($X, ...)",
     "pathlib.Path($X).$OP(...)", "Path($X).$OP(...)", "$X.read_text(...)",
     "$X.read_bytes(...)", "$X.write_text(...)", "$X.write_bytes(...)", "$X.unlink(...)",
     "os.listdir($X)", "FileResponse($X, ...)", "$W.FileResponse($X, ...)",
     "tarfile.open($X, ...)"],
    sanitizers=[{"pattern": "os.path.basename(...)"}, {"pattern": "secure_filename(...)"},
                {"pattern": "werkzeug.utils.secure_filename(...)"},
                {"pattern": "os.path.realpath(...)"}, {"pattern": "os.path.abspath(...)"},
                {"pattern": "$P.resolve(...)"}, {"pattern": "safe_join(...)"},
                {"pattern": "werkzeug.security.safe_join(...)"},
                {"pattern": "os.path.normpath(...)"}, *CONFINING_HELPER], splice=PATH_SPLICE,
    # a path taken whole from the command line or the environment is the operator's choice
    # (only spliced under a base folder does it count)
    direct=[*WEB, {"pattern": "input(...)"}, {"pattern": "$SOCK.recv(...)"},
            {"pattern": "$SOCK.recvfrom(...)"}],
    spliced=[*PARAMS, *(u for u in USER if "recv" not in u["pattern"]
                        and "input" not in u["pattern"])])]

# a resolved path checked with a bare prefix: /srv/data_old passes startswith("/srv/data")
_NO_SEP = [f"$BASE = {v}\n...\n" for v in ("$V + os.sep", "$V + \"/\"", "os.path.join($V, \"\")",
                                        "\"=~/\\/$/\"")]
PY["cwe-022-path-traversal"].append(search(
    "vb-py-path-prefix-check", "CWE-22: Path Traversal",
    "A resolved path is checked with startswith() against a folder without a trailing "
    "separator: a sibling folder sharing the prefix passes; use os.path.commonpath or "
    "Path.is_relative_to.",
    {"patterns": [
        {"pattern-inside": "$P = os.path.$NORM(...)\n...\n"},
        {"metavariable-regex": {"metavariable": "$NORM", "regex": "^(abspath|realpath|normpath)$"}},
        {"pattern": "$P.startswith($BASE)"},
        {"pattern-not": "$P.startswith(\"=~/\\/$/\")"},
        {"pattern-not": "$P.startswith($B + os.sep)"}, {"pattern-not": "$P.startswith($B + \"/\")"},
        {"pattern-not": "$P.startswith(os.path.join($B, \"\"))"},
        *({"pattern-not-inside": v} for v in _NO_SEP),
        *({"pattern-not-inside": f"{v}def $F(...):\n  ...\n"} for v in _NO_SEP)]},
    severity="ERROR"))

PY["cwe-094-code-injection"] = [
    taint("vb-py-eval-injection", "CWE-95: Eval Injection",
          "Untrusted data is evaluated as Python code; parse it (ast.literal_eval, json).",
          ["eval($X, ...)"], labels=False),
    taint("vb-py-code-injection", "CWE-94: Code Injection",
          "Untrusted data becomes Python code that is executed.",
          ["exec($X, ...)", "compile($X, ...)", "code.InteractiveInterpreter(...).runsource($X)",
           "$T.render_template_string($X, ...)", "flask.render_template_string($X, ...)",
           "jinja2.Template($X, ...)", "Template($X).render(...)"], labels=False),
]

PY["cwe-090-ldap-injection"] = [taint(
    "vb-py-ldap-injection", "CWE-90: LDAP Injection",
    "Untrusted data is spliced into an LDAP filter; escape it with escape_filter_chars.",
    ["$C.search_s($B, $S, $X, ...)", "$C.search($B, $S, $X, ...)",
     "$C.search_ext_s($B, $S, $X, ...)", "$C.search(search_filter=$X, ...)",
     "$C.search($B, $X, ...)"],
    sanitizers=[{"pattern": "escape_filter_chars(...)"},
                {"pattern": "ldap.filter.escape_filter_chars(...)"},
                {"pattern": "ldap3.utils.conv.escape_filter_chars(...)"},
                {"pattern": "ldap.filter.filter_format(...)"}])]

PY["cwe-643-xpath-injection"] = [taint(
    "vb-py-xpath-injection", "CWE-643: XPath Injection",
    "Untrusted data is spliced into an XPath expression; pass it as an XPath variable.",
    ["$T.xpath($X, ...)", "$T.find($X, ...)", "$T.findall($X, ...)", "$T.iterfind($X, ...)",
     "$T.findtext($X, ...)", "lxml.etree.XPath($X, ...)", "etree.XPath($X, ...)"])]

# a URL parsed and its host compared with an allow-list (rejecting the rest): the URL and
# its parts count as checked afterwards
HOST_CHECKED: list[dict[str, Any]] = [
    {"patterns": [
        {"pattern-either": [
            {"pattern-inside": f"$P = $PARSE($U, ...)\n...\nif <... $P.$HOST ...>:\n  {body}\n"
                               "...\n"} for body in REJECT_BODIES]},
        {"metavariable-regex": {"metavariable": "$PARSE",
                                "regex": "^(urllib\\.parse\\.)?(urlparse|urlsplit)$"}},
        {"metavariable-regex": {"metavariable": "$HOST", "regex": "^(hostname|netloc)$"}},
        {"pattern-either": [{"pattern": "$U"}, {"pattern": "$P"}]}]},
]
# a predicate that guards the value: `if not is_safe(x): x = default` (or reject)
GUARDED: list[dict[str, Any]] = [
    {"patterns": [
        {"pattern-either": [
            *({"pattern-inside": f"if not $PRED(..., $X, ...):\n  {body}\n...\n"}
              for body in REJECT_BODIES),
            *({"pattern-inside": f"if not $PRED(..., $K=$X, ...):\n  {body}\n...\n"}
              for body in REJECT_BODIES),
            {"pattern-inside": "if $PRED(..., $X, ...):\n  ...\n"},
            {"pattern-inside": "if $PRED(..., $K=$X, ...):\n  ...\n"}]},
        {"pattern": "$X"}]},
]
PY["cwe-918-ssrf"] = [taint(
    "vb-py-ssrf", "CWE-918: Server-Side Request Forgery",
    "A request goes to a URL taken from untrusted data; check its scheme and host first.",
    ["requests.$M($X, ...)", "httpx.$M($X, ...)", "urllib.request.urlopen($X, ...)",
     "urllib.request.Request($X, ...)", "urlopen($X, ...)", "$S.get($X, ...)",
     "$S.post($X, ...)", "aiohttp.ClientSession().get($X, ...)",
     "http.client.HTTPConnection($X, ...)", "http.client.HTTPSConnection($X, ...)"],
    direct=WEB, spliced=[], labels=False,
    sanitizers=[{"pattern": "urllib.parse.quote(...)"}, {"pattern": "quote(...)"},
                *HOST_CHECKED])]

PY["cwe-601-open-redirect"] = [taint(
    "vb-py-open-redirect", "CWE-601: Open Redirect",
    "A redirect goes to a URL taken from request data; allow only local paths or known hosts.",
    ["flask.redirect($X, ...)", "redirect($X, ...)", "HttpResponseRedirect($X)",
     "RedirectResponse($X, ...)", "$R.headers[\"Location\"] = $X",
     # aiohttp raises its redirects
     "$W.HTTPFound($X, ...)", "$W.HTTPFound(location=$X, ...)", "$W.HTTPSeeOther($X, ...)",
     "$W.HTTPSeeOther(location=$X, ...)", "$W.HTTPTemporaryRedirect($X, ...)",
     "$W.HTTPTemporaryRedirect(location=$X, ...)"],
    direct=WEB, spliced=[], labels=False,
    sanitizers=[{"pattern": "url_for(...)"}, {"pattern": "flask.url_for(...)"},
                {"pattern": "urlsplit(...)"}, {"pattern": "urlparse(...)"},
                {"pattern": "urllib.parse.urlparse(...)"},
                {"pattern": "urllib.parse.urlsplit(...)"},
                {"by-side-effect": True, "patterns": [
                    {"pattern": "$X.startswith(...)"}, {"focus-metavariable": "$X"}]},
                {"pattern": "url_has_allowed_host_and_scheme(...)"},
                *GUARDED, *HOST_CHECKED])]

XSS_SANITIZERS: list[dict[str, Any]] = [
    {"pattern": "html.escape(...)"}, {"pattern": "escape(...)"},
    {"pattern": "markupsafe.escape(...)"}, {"pattern": "bleach.clean(...)"},
    {"pattern": "flask.render_template(...)"}, {"pattern": "render_template(...)"},
    {"pattern": "django.utils.html.format_html(...)"}, {"pattern": "format_html(...)"},
    {"pattern": "json.dumps(...)"}, {"pattern": "flask.jsonify(...)"}, {"pattern": "jsonify(...)"}]
# a response declared as something other than HTML is not rendered by the browser
NOT_HTML = "\"=~/^(?!text\\/html)[a-z]+\\/[-+.a-z0-9]+/\""
PY["cwe-079-xss"] = [taint(
    "vb-py-xss", "CWE-79: Cross-site Scripting",
    "Request data is written into HTML without escaping.",
    ["flask.make_response($X, ...)", "make_response($X, ...)", "HttpResponse($X, ...)",
     "HTMLResponse($X, ...)", "markupsafe.Markup($X)", "Markup($X)",
     "django.utils.safestring.mark_safe($X)", "mark_safe($X)", "flask.Response($X, ...)",
     "Response($X, ...)", "$H.wfile.write($X)"],
    sanitizers=XSS_SANITIZERS)]
for _sink in PY["cwe-079-xss"][0]["pattern-sinks"]:
    if "Response(" in _sink["patterns"][0]["pattern"]:
        _call = _sink["patterns"][0]["pattern"].split("(")[0]
        _sink["patterns"] += [{"pattern-not": f"{_call}($X, ..., {kw}={NOT_HTML}, ...)"}
                              for kw in ("mimetype", "content_type", "media_type")]
# a Flask view's returned string is an HTML page (so is a FastAPI one declared HTMLResponse)
_VIEW = ["@$APP.route(...)\ndef $F(...):\n  ...\n",
         "@$APP.$M(..., response_class=HTMLResponse, ...)\ndef $F(...):\n  ...\n"]
_HTML_RETURN = ["return f\"...\"", "return $A + $B", "return $S % $V", "return $S.format(...)",
                "return $S.join(...)"]
PY["cwe-079-xss"].append(taint(
    "vb-py-xss-route-return", "CWE-79: Cross-site Scripting",
    "A web view returns request data spliced into its HTML page without escaping.",
    [], spliced=[], sanitizers=XSS_SANITIZERS))
PY["cwe-079-xss"][-1]["pattern-sinks"] = [
    {"requires": "SPLICED", "patterns": [
        {"pattern-either": [{"pattern-inside": v} for v in _VIEW]},
        {"pattern-either": [{"pattern": r} for r in _HTML_RETURN]
            + [{"pattern": r.replace("return ", "return (") + ", ...)"} for r in _HTML_RETURN]},
    ]},
    # implicitly concatenated literals with an f-string among them
    {"requires": "SPLICED", "patterns": [
        {"pattern-either": [{"pattern-inside": v} for v in _VIEW]},
        {"pattern": "return <... f\"...\" ...>"},
        {"pattern-not": "return {...}"}, {"pattern-not": "return [...]"},
        {"pattern-not": "return ({...}, ...)"}, {"pattern-not": "return ([...], ...)"},
        {"pattern-not": "return $CALL(...)"}, {"pattern-not": "return ($CALL(...), ...)"},
    ]},
    {"requires": "SPLICED", "patterns": [
        {"pattern-either": [{"pattern-inside": v} for v in _VIEW]},
        {"pattern-either": [{"pattern-inside": f"$H = {r[len('return '):]}\n...\n"}
                            for r in _HTML_RETURN]},
        {"pattern-either": [{"pattern": "return $H"}, {"pattern": "return $H, ..."}]},
        {"focus-metavariable": "$H"}]},
]
PY["cwe-079-xss"].append(search(
    "vb-py-jinja2-autoescape-off", "CWE-79: Cross-site Scripting",
    "jinja2.Template does not autoescape: every value rendered into this HTML template is "
    "raw; use an Environment with autoescape=True (or select_autoescape).",
    {"patterns": [
        either("jinja2.Template(\"=~/(?s)<[a-zA-Z!/].*\\{\\{/\", ...)",
               "jinja2.Environment(...).from_string(\"=~/(?s)<[a-zA-Z!/].*\\{\\{/\", ...)"),
        {"pattern-not": "jinja2.Template(..., autoescape=True, ...)"},
        {"pattern-not": "jinja2.Environment(..., autoescape=$A, ...).from_string(...)"},
    ]}, severity="WARNING"))

HEADER_SANITIZERS: list[dict[str, Any]] = [
    {"pattern": "$X.replace(...)"}, {"pattern": "urllib.parse.quote(...)"},
    {"pattern": "quote(...)"}, {"pattern": "$X.splitlines()"}, {"pattern": "re.sub(...)"},
    {"pattern": "$X.translate(...)"}]
PY["cwe-113-header-injection"] = [taint(
    "vb-py-header-injection", "CWE-113: HTTP Response Splitting",
    "Request data is written into a response header; strip CR/LF first.",
    ["$R.headers[$K] = $X", "$R.headers.add($K, $X)", "$R.headers.set($K, $X)",
     "$R.set_cookie($K, $X, ...)", "$H.send_header($K, $X)"],
    direct=WEB, spliced=[], labels=False, sanitizers=HEADER_SANITIZERS)]
# a raw HTTP header line spliced together from outside data (hand-written servers)
_HEADER_LINE = ("\"=~/^(?i)(location|set-cookie|content-disposition|content-type|refresh|link|"
                "content-language|cache-control|www-authenticate|access-control-[a-z-]+|"
                "x-[a-z-]+): /\"")
PY["cwe-113-header-injection"].append(taint(
    "vb-py-raw-header-injection", "CWE-113: HTTP Response Splitting",
    "An HTTP header line is spliced together from outside data without stripping CR/LF.",
    [f"{_HEADER_LINE} + $X", f"{_HEADER_LINE} % $X", f"{_HEADER_LINE}.format(..., $X, ...)"],
    sanitizers=HEADER_SANITIZERS))
for _sink in PY["cwe-113-header-injection"][-1]["pattern-sinks"]:
    _sink["requires"] = "INPUT"

PY["cwe-117-log-injection"] = [taint(
    "vb-py-log-injection", "CWE-117: Log Injection",
    "Request data is written to a log without neutralizing line breaks.",
    ["logging.$L($X, ...)", "$LOG.$L($X, ...)",
     # %-style arguments are formatted into the same line
     "logging.$L($FMT, ..., $X, ...)", "$LOG.$L($FMT, ..., $X, ...)"],
    direct=WEB, spliced=[], labels=True,
    sanitizers=[{"pattern": "$X.replace(...)"}, {"pattern": "repr(...)"},
                {"pattern": "json.dumps(...)"}, {"pattern": "$X.encode(...)"},
                {"pattern": "$X.translate(...)"}, {"pattern": "re.sub(...)"},
                {"pattern": "$X.splitlines(...)"},
                # a helper named for neutralizing values before logging them
                {"patterns": [{"pattern": "$CLEAN(...)"}, {"metavariable-regex": {
                    "metavariable": "$CLEAN", "regex":
                    "(?i)(^|.*[._])(for_log|log_safe|safe_log|escape\\w*|\\w*sanitiz\\w*|"
                    "\\w*neutrali\\w*|one_?line|single_line|strip_(crlf|newlines?|control))$"}}]}],
    severity="WARNING")]
# restrict the logger sink to logging method names
for _sink in PY["cwe-117-log-injection"][0]["pattern-sinks"]:
    _sink["patterns"].append({"metavariable-regex": {
        "metavariable": "$L", "regex": "^(debug|info|warning|warn|error|critical|exception)$"}})
    if "$LOG" in _sink["patterns"][0]["pattern"]:
        _sink["patterns"].append({"metavariable-regex": {
            "metavariable": "$LOG", "regex": "(?i).*(log).*"}})
    if "$FMT" in _sink["patterns"][0]["pattern"]:
        # no %s in the format: %r / %d / %x cannot carry a raw line break
        _call = _sink["patterns"][0]["pattern"].split("(")[0]
        _sink["patterns"].append({"pattern-not":
                                  f"{_call}(\"=~/^(?!.*%[-#0 +]*[0-9]*(\\.[0-9]+)?s)/\", ...)"})

PY["cwe-943-nosql-injection"] = [taint(
    "vb-py-nosql-injection", "CWE-943: NoSQL Injection",
    "Request JSON goes into a MongoDB query as it is; it can carry operators such as $ne.",
    ["$C.find($X, ...)", "$C.find_one($X, ...)", "$C.delete_one($X, ...)",
     "$C.delete_many($X, ...)", "$C.update_one($X, ...)", "$C.count_documents($X, ...)",
     "$C.find_one_and_update($X, ...)", "$C.aggregate($X, ...)"],
    direct=[{"pattern": "flask.request.get_json(...)"}, {"pattern": "flask.request.json"},
            {"pattern": "request.get_json(...)"}, {"pattern": "request.json"},
            {"pattern": "json.loads(flask.request.$A)"}, {"pattern": "await $R.json()"}],
    spliced=[], labels=False,
    sanitizers=[{"pattern": "str(...)"}, {"by-side-effect": True, "patterns": [
        {"pattern": "isinstance($X, str)"}, {"focus-metavariable": "$X"}]},
        {"patterns": [{"pattern-inside": "if <... not isinstance($X, $T) ...>:\n  ...\n...\n"},
                      {"pattern": "$X"}]}])]
PY["cwe-943-nosql-injection"].append(search(
    "vb-py-nosql-where", "CWE-943: NoSQL Injection",
    "A MongoDB $where clause built from a string with data in it runs as JavaScript.",
    {"pattern-either": [{"pattern": "{..., \"$where\": f\"...\", ...}"},
                        {"pattern": "{..., \"$where\": $A + $B, ...}"},
                        {"pattern": "{..., \"$where\": $S % $V, ...}"},
                        {"pattern": "{..., \"$where\": $S.format(...), ...}"}]},
    severity="ERROR"))

PY["cwe-502-deserialization"] = [search(
    "vb-py-unsafe-deserialization", "CWE-502: Deserialization of Untrusted Data",
    "Deserializing with pickle/marshal/unsafe YAML runs code chosen by whoever wrote the data.",
    {"patterns": [either(
        "pickle.loads(...)", "pickle.load(...)", "pickle.Unpickler(...)", "cPickle.loads(...)",
        "_pickle.loads(...)", "dill.loads(...)", "dill.load(...)", "marshal.loads(...)",
        "marshal.load(...)", "shelve.open(...)", "jsonpickle.decode(...)",
        "yaml.unsafe_load(...)", "yaml.load(..., Loader=yaml.Loader, ...)",
        "yaml.load(..., Loader=yaml.UnsafeLoader, ...)",
        "yaml.load(..., Loader=yaml.FullLoader, ...)", "yaml.load_all(..., Loader=yaml.Loader)",
        "pandas.read_pickle(...)", "joblib.load(...)", "torch.load(...)")],
     "pattern-not": "torch.load(..., weights_only=True, ...)"}, severity="ERROR"),
    search("vb-py-yaml-load-default", "CWE-502: Deserialization of Untrusted Data",
           "yaml.load without a safe Loader can construct arbitrary Python objects.",
           {"patterns": [{"pattern": "yaml.load($D)"}]}, severity="ERROR")]

# errors about the client's own input (a parse or validation failure) tell it nothing internal
CLIENT_ERROR = ("^(ValueError|(\\w+\\.)*\\w*(SyntaxError|DecodeError|ValidationError|ParseError|"
                "Invalid\\w*))$")
PY["cwe-209-error-exposure"] = [search(
    "vb-py-error-details-in-response", "CWE-209: Information Exposure Through an Error Message",
    "An exception's details or traceback are sent back to the client.",
    {"pattern-either": [
        {"pattern": "return <... traceback.format_exc() ...>"},
        {"pattern": "return <... traceback.format_exception(...) ...>"},
        {"patterns": [
            {"pattern-inside": "try:\n  ...\nexcept $T as $E:\n  ...\n"},
            {"pattern-either": [{"pattern": "return <... str($E) ...>"},
                                {"pattern": "return <... f\"...{$E}...\" ...>"},
                                {"pattern": "return <... repr($E) ...>"}]},
            {"metavariable-regex": {"metavariable": "$T", "regex": f"^(?!{CLIENT_ERROR[1:-1]}$)"}},
        ]},
        {"patterns": [
            {"pattern-inside": "@$APP.errorhandler(...)\ndef $F($E):\n  ...\n"},
            {"pattern-either": [{"pattern": "return <... str($E) ...>"},
                                {"pattern": "return <... f\"...{$E}...\" ...>"}]}]},
    ]}, severity="WARNING"),
    taint("vb-py-traceback-in-response", "CWE-209: Information Exposure Through an Error Message",
          "A formatted traceback is sent back to the client.",
          ["return $X", "HttpResponse($X, ...)", "JsonResponse($X, ...)", "jsonify(...)",
           "make_response($X, ...)", "Response($X, ...)", "JSONResponse($X, ...)",
           "PlainTextResponse($X, ...)", "HTMLResponse($X, ...)",
           "HTTPException(..., detail=$X, ...)", "$H.wfile.write($X)", "$CONN.sendall($X)"],
          direct=[{"pattern": "traceback.format_exc(...)"},
                  {"pattern": "traceback.format_exception(...)"},
                  {"pattern": "traceback.format_tb(...)"},
                  {"pattern": "traceback.format_stack(...)"},
                  {"pattern": "traceback.TracebackException.from_exception(...)"}],
          spliced=[], labels=False, severity="WARNING")]
