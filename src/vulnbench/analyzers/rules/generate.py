"""Writes the YAML rule files of vulnbench's semgrep pack from the definitions below (the
shared taint sources are defined once here). Run: python -m vulnbench.analyzers.rules.generate
Fixtures (``<rule>.bad.*`` / ``<rule>.good.*``) are written by hand next to each rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped,unused-ignore]

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
CHECKED: list[dict[str, Any]] = [
    # a validation call on the value marks it checked afterwards
    {"by-side-effect": True, "patterns": [
        {"pattern": "$CHECK(..., $X, ...)"},
        {"metavariable-regex": {"metavariable": "$CHECK", "regex":
            "(?i)^(?!.*(subprocess|check_output|check_call|os\\.)).*(valid|saniti|safe|allow|"
            "check|verif|whitelist|ensure).*"}},
        {"focus-metavariable": "$X"}]},
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


PY: dict[str, list[dict[str, Any]]] = {}

PY["cwe-078-command-injection"] = [taint(
    "vb-py-command-injection", "CWE-78: OS Command Injection",
    "Untrusted data reaches a shell command; pass an argument list without a shell.",
    ["os.system($X)", "os.popen($X, ...)", "subprocess.$F($X, ..., shell=True, ...)",
     "subprocess.getoutput($X)", "subprocess.getstatusoutput($X)",
     "asyncio.create_subprocess_shell($X, ...)",
     "subprocess.$F([\"$SH\", \"-c\", $X, ...], ...)", "pty.spawn($X)"],
    sanitizers=[{"pattern": "shlex.quote(...)"}, {"pattern": "pipes.quote(...)"}])]

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
PY["cwe-022-path-traversal"] = [taint(
    "vb-py-path-traversal", "CWE-22: Path Traversal",
    "A file path built from untrusted data is used without confining it to its folder.",
    ["open($X, ...)", "io.open($X, ...)", "flask.send_file($X, ...)", "send_file($X, ...)",
     "os.remove($X)", "os.unlink($X)", "os.rmdir($X)", "shutil.rmtree($X, ...)",
     "shutil.copy($X, ...)", "shutil.copyfile($X, ...)", "shutil.move($X, ...)",
     "pathlib.Path($X).$OP(...)", "Path($X).$OP(...)", "$X.read_text(...)",
     "$X.read_bytes(...)", "$X.write_text(...)", "$X.write_bytes(...)", "$X.unlink(...)",
     "os.listdir($X)", "FileResponse($X, ...)", "tarfile.open($X, ...)"],
    sanitizers=[{"pattern": "os.path.basename(...)"}, {"pattern": "secure_filename(...)"},
                {"pattern": "werkzeug.utils.secure_filename(...)"},
                {"pattern": "os.path.realpath(...)"}, {"pattern": "os.path.abspath(...)"},
                {"pattern": "$P.resolve(...)"}, {"pattern": "safe_join(...)"},
                {"pattern": "werkzeug.security.safe_join(...)"},
                {"pattern": "os.path.normpath(...)"}], splice=PATH_SPLICE)]

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

PY["cwe-918-ssrf"] = [taint(
    "vb-py-ssrf", "CWE-918: Server-Side Request Forgery",
    "A request goes to a URL taken from untrusted data; check its scheme and host first.",
    ["requests.$M($X, ...)", "httpx.$M($X, ...)", "urllib.request.urlopen($X, ...)",
     "urllib.request.Request($X, ...)", "urlopen($X, ...)", "$S.get($X, ...)",
     "$S.post($X, ...)", "aiohttp.ClientSession().get($X, ...)",
     "http.client.HTTPConnection($X, ...)", "http.client.HTTPSConnection($X, ...)"],
    direct=WEB, spliced=[], labels=False,
    sanitizers=[{"pattern": "urllib.parse.quote(...)"}, {"pattern": "quote(...)"}])]

PY["cwe-601-open-redirect"] = [taint(
    "vb-py-open-redirect", "CWE-601: Open Redirect",
    "A redirect goes to a URL taken from request data; allow only local paths or known hosts.",
    ["flask.redirect($X, ...)", "redirect($X, ...)", "HttpResponseRedirect($X)",
     "RedirectResponse($X, ...)", "$R.headers[\"Location\"] = $X"],
    direct=WEB, spliced=[], labels=False,
    sanitizers=[{"pattern": "url_for(...)"}, {"pattern": "flask.url_for(...)"},
                {"pattern": "urlsplit(...)"}, {"pattern": "urlparse(...)"},
                {"pattern": "urllib.parse.urlparse(...)"},
                {"pattern": "urllib.parse.urlsplit(...)"},
                {"by-side-effect": True, "patterns": [
                    {"pattern": "$X.startswith(...)"}, {"focus-metavariable": "$X"}]}])]

PY["cwe-079-xss"] = [taint(
    "vb-py-xss", "CWE-79: Cross-site Scripting",
    "Request data is written into HTML without escaping.",
    ["flask.make_response($X, ...)", "make_response($X, ...)", "HttpResponse($X, ...)",
     "HTMLResponse($X, ...)", "markupsafe.Markup($X)", "Markup($X)",
     "django.utils.safestring.mark_safe($X)", "mark_safe($X)", "flask.Response($X, ...)",
     "Response($X, ...)"],
    sanitizers=[{"pattern": "html.escape(...)"}, {"pattern": "escape(...)"},
                {"pattern": "markupsafe.escape(...)"}, {"pattern": "bleach.clean(...)"},
                {"pattern": "flask.render_template(...)"}, {"pattern": "render_template(...)"},
                {"pattern": "json.dumps(...)"}, {"pattern": "flask.jsonify(...)"},
                {"pattern": "jsonify(...)"}])]
PY["cwe-079-xss"].append(search(
    "vb-py-xss-route-return", "CWE-79: Cross-site Scripting",
    "A Flask view returns request data spliced into HTML without escaping.",
    {"patterns": [
        {"pattern-inside": "@$APP.route(...)\ndef $F(...):\n  ...\n"},
        {"pattern-either": [{"pattern": "return f\"...{flask.request.$A.get(...)}...\""},
                            {"pattern": "return f\"...{flask.request.$A[...]}...\""}]},
    ]}, severity="ERROR"))

PY["cwe-113-header-injection"] = [taint(
    "vb-py-header-injection", "CWE-113: HTTP Response Splitting",
    "Request data is written into a response header; strip CR/LF first.",
    ["$R.headers[$K] = $X", "$R.headers.add($K, $X)", "$R.headers.set($K, $X)",
     "$R.set_cookie($K, $X, ...)"],
    direct=WEB, spliced=[], labels=False,
    sanitizers=[{"pattern": "$X.replace(...)"}, {"pattern": "urllib.parse.quote(...)"},
                {"pattern": "quote(...)"}, {"pattern": "$X.splitlines()"}])]

PY["cwe-117-log-injection"] = [taint(
    "vb-py-log-injection", "CWE-117: Log Injection",
    "Request data is written to a log without neutralizing line breaks.",
    ["logging.$L($X, ...)", "$LOG.$L($X, ...)"],
    direct=WEB, spliced=[], labels=True,
    sanitizers=[{"pattern": "$X.replace(...)"}, {"pattern": "repr(...)"},
                {"pattern": "json.dumps(...)"}, {"pattern": "$X.encode(...)"}],
    severity="WARNING")]
# restrict the logger sink to logging method names
for _sink in PY["cwe-117-log-injection"][0]["pattern-sinks"]:
    _sink["patterns"].append({"metavariable-regex": {
        "metavariable": "$L", "regex": "^(debug|info|warning|warn|error|critical|exception)$"}})
    if "$LOG" in _sink["patterns"][0]["pattern"]:
        _sink["patterns"].append({"metavariable-regex": {
            "metavariable": "$LOG", "regex": "(?i).*(log).*"}})

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
                                {"pattern": "return <... repr($E) ...>"}]}]},
        {"patterns": [
            {"pattern-inside": "@$APP.errorhandler(...)\ndef $F($E):\n  ...\n"},
            {"pattern-either": [{"pattern": "return <... str($E) ...>"},
                                {"pattern": "return <... f\"...{$E}...\" ...>"}]}]},
    ]}, severity="WARNING")]

PY["cwe-215-debug-mode"] = [search(
    "vb-py-debug-enabled", "CWE-215: Information Exposure Through Debug Information",
    "Debug mode is on: the interactive debugger / detailed errors are exposed.",
    either("$APP.run(..., debug=True, ...)", "$APP.debug = True",
           "$APP.config[\"DEBUG\"] = True", "$APP.config.update(..., DEBUG=True, ...)",
           "DEBUG = True", "$APP.config[\"PROPAGATE_EXCEPTIONS\"] = True",
           "DebuggedApplication(...)"), severity="WARNING")]

SECRET_NAME = ("(?i)^(.*_)?(password|passwd|pwd|pass|secret|secret_key|api_key|apikey|"
               "access_key|auth_token|token|private_key|client_secret|jwt_secret|"
               "signing_key|db_password|database_url)$")
PY["cwe-798-hardcoded-credentials"] = [search(
    "vb-py-hardcoded-credential", "CWE-798: Use of Hard-coded Credentials",
    "A credential is written into the source; read it from the environment or a secret store.",
    {"patterns": [
        {"pattern-either": [
            {"pattern": "$NAME = \"$VALUE\""},
            {"pattern": "$OBJ.$NAME = \"$VALUE\""},
            {"pattern": "$OBJ[\"$NAME\"] = \"$VALUE\""},
            {"pattern": "$F(..., $NAME=\"$VALUE\", ...)"},
            {"pattern": "$D = {..., \"$NAME\": \"$VALUE\", ...}"},
            {"pattern": "if $X == \"$VALUE\": ..."},
            {"pattern": "$F(..., $NAME.get(\"...\", \"$VALUE\"), ...)"}],
        },
        {"metavariable-regex": {"metavariable": "$NAME", "regex": SECRET_NAME}},
        {"metavariable-regex": {"metavariable": "$VALUE",
                                "regex": "^(?!(changeme|change-me|xxx+|\\*+|<.*>|\\$\\{.*\\}|"
                                         "dummy|example|your[-_].*|test)$).{4,}$"}},
    ]}, severity="ERROR"),
    search("vb-py-hardcoded-password-compare", "CWE-259: Use of Hard-coded Password",
           "A password is compared with a string written in the source.",
           {"patterns": [
               {"pattern-either": [{"pattern": "$P == \"$VALUE\""},
                                   {"pattern": "hmac.compare_digest($P, \"$VALUE\")"},
                                   {"pattern": "secrets.compare_digest($P, \"$VALUE\")"}]},
               {"metavariable-regex": {"metavariable": "$P",
                                       "regex": "(?i).*(password|passwd|pwd|secret|token).*"}},
               {"metavariable-regex": {"metavariable": "$VALUE", "regex": "^.{4,}$"}}]},
           severity="ERROR"),
    search("vb-py-hardcoded-jwt-key", "CWE-798: Use of Hard-coded Credentials",
           "A JWT is signed or checked with a key written into the source.",
           either("jwt.encode($P, \"...\", ...)", "jwt.decode($T, \"...\", ...)"),
           severity="ERROR")]

PY["cwe-295-tls-verification"] = [search(
    "vb-py-tls-verification-disabled", "CWE-295: Improper Certificate Validation",
    "Certificate or host name verification is switched off.",
    either("requests.$M(..., verify=False, ...)", "httpx.$M(..., verify=False, ...)",
           "$S.verify = False", "ssl._create_unverified_context(...)",
           "ssl._create_stdlib_context(...)", "$CTX.check_hostname = False",
           "$CTX.verify_mode = ssl.CERT_NONE", "ssl.wrap_socket(..., cert_reqs=ssl.CERT_NONE, ...)",
           "urllib3.PoolManager(..., cert_reqs=\"CERT_NONE\", ...)",
           "httpx.Client(..., verify=False, ...)", "httpx.AsyncClient(..., verify=False, ...)",
           "aiohttp.TCPConnector(..., ssl=False, ...)",
           "ssl.create_default_context(...).check_hostname = False"), severity="ERROR")]

PY["cwe-327-weak-crypto"] = [
    search("vb-py-weak-hash", "CWE-328: Use of Weak Hash",
           "MD5/SHA-1 are broken for security use (signatures, passwords, integrity).",
           {"patterns": [
               either("hashlib.md5(...)", "hashlib.sha1(...)", "hashlib.new(\"md5\", ...)",
                      "hashlib.new(\"sha1\", ...)", "hashlib.new(\"MD5\", ...)",
                      "hashlib.new(\"SHA1\", ...)", "hmac.new($K, $M, hashlib.md5)",
                      "hmac.new($K, $M, \"md5\")", "Crypto.Hash.MD5.new(...)",
                      "Crypto.Hash.SHA.new(...)", "hmac.new($K, $M, hashlib.sha1)"),
               {"pattern-not": "hashlib.$H(..., usedforsecurity=False, ...)"}]},
           severity="WARNING"),
    search("vb-py-weak-cipher", "CWE-327: Use of a Broken or Risky Cryptographic Algorithm",
           "DES, RC4, Blowfish or ECB mode do not protect the data.",
           either("Crypto.Cipher.DES.new(...)", "Crypto.Cipher.ARC4.new(...)",
                  "Crypto.Cipher.Blowfish.new(...)", "Crypto.Cipher.DES3.new(...)",
                  "Crypto.Cipher.AES.new($K, Crypto.Cipher.AES.MODE_ECB, ...)",
                  "Crypto.Cipher.AES.new($K)",
                  "cryptography.hazmat.primitives.ciphers.modes.ECB(...)",
                  "cryptography.hazmat.primitives.ciphers.algorithms.ARC4(...)",
                  "cryptography.hazmat.primitives.ciphers.algorithms.TripleDES(...)",
                  "cryptography.hazmat.primitives.ciphers.algorithms.Blowfish(...)"),
           severity="ERROR"),
]

PY["cwe-338-weak-random"] = [search(
    "vb-py-weak-random-secret", "CWE-338: Use of Cryptographically Weak PRNG",
    "The random module is predictable; use secrets for tokens, passwords and keys.",
    {"patterns": [
        {"pattern-either": [
            {"patterns": [
                {"pattern-inside": "def $F(...):\n  ...\n"},
                {"metavariable-regex": {"metavariable": "$F", "regex":
                    "(?i).*(token|passw|otp|secret|key|session|nonce|salt|invite|reset|code|"
                    "pin|captcha|csrf|api).*"}},
                {"pattern": "random.$R(...)"}]},
            {"patterns": [
                {"pattern-either": [{"pattern": "$V = <... random.$R(...) ...>"},
                                    {"pattern": "$V = <... $X.join(<... random.$R(...) ...>) ...>"}]},  # noqa: E501
                {"metavariable-regex": {"metavariable": "$V", "regex":
                    "(?i).*(token|passw|otp|secret|key|session|nonce|salt|invite|reset|code|"
                    "pin|sid|csrf).*"}}]}]},
        {"metavariable-regex": {"metavariable": "$R", "regex":
            "^(random|randint|randrange|choice|choices|sample|getrandbits|shuffle|uniform)$"}},
    ]}, severity="WARNING")]

PY["cwe-352-csrf"] = [search(
    "vb-py-csrf-disabled", "CWE-352: Cross-Site Request Forgery",
    "CSRF protection is switched off for a state-changing endpoint.",
    either("$APP.config[\"WTF_CSRF_ENABLED\"] = False", "WTF_CSRF_ENABLED = False",
           "$APP.config[\"WTF_CSRF_CHECK_DEFAULT\"] = False",
           "@csrf_exempt\ndef $F(...):\n  ...", "@$CSRF.exempt\ndef $F(...):\n  ...",
           "@django.views.decorators.csrf.csrf_exempt\ndef $F(...):\n  ..."),
    severity="WARNING")]

PY["cwe-377-insecure-temp"] = [search(
    "vb-py-insecure-tempfile", "CWE-377: Insecure Temporary File",
    "A predictable temporary file name can be raced or pre-created by another user.",
    {"pattern-either": [
        {"pattern": "tempfile.mktemp(...)"},
        {"pattern": "open(\"=~/^\\/(var\\/)?tmp\\//\", ...)"},
        {"pattern": "open(f\"/tmp/...\", ...)"},
        {"pattern": "open(os.path.join(\"=~/^\\/(var\\/)?tmp/\", ...), ...)"},
        {"pattern": "open(os.path.join(tempfile.gettempdir(), ...), ...)"},
        {"pattern": "open(\"/tmp/\" + $X, ...)"}]}, severity="WARNING")]

PY["cwe-1333-redos"] = [search(
    "vb-py-redos", "CWE-1333: Inefficient Regular Expression Complexity",
    "A nested quantifier makes this regular expression backtrack exponentially.",
    {"patterns": [
        either("re.$F(\"$RX\", ...)", "regex.$F(\"$RX\", ...)"),
        {"metavariable-regex": {"metavariable": "$F", "regex":
            "^(compile|match|search|fullmatch|findall|finditer|sub|subn|split)$"}},
        {"metavariable-regex": {"metavariable": "$RX",
                                "regex": ".*\\([^()]*[+*][^()]*\\)[+*{]"}},
    ]}, severity="WARNING"),
    taint("vb-py-regex-injection", "CWE-1333: Inefficient Regular Expression Complexity",
          "A regular expression is compiled from request data (ReDoS); re.escape it.",
          ["re.$F($X, ...)"], direct=WEB, spliced=[], labels=False,
          sanitizers=[{"pattern": "re.escape(...)"}], severity="WARNING")]

PY["cwe-434-unrestricted-upload"] = [search(
    "vb-py-upload-user-extension", "CWE-434: Unrestricted Upload of File with Dangerous Type",
    "An upload is stored under the extension its sender chose, without an allow-list.",
    {"patterns": [
        {"pattern-either": [
            {"pattern": "$FILE.save(<... $FILE.filename ...>, ...)"},
            {"pattern": "$FILE.save(<... $NAME ...>, ...)"}]},
        {"pattern-inside": "def $F(...):\n  ...\n"},
        {"pattern-not-inside": "$N = secure_filename(...)\n...\n"},
        {"pattern-not-inside": "if <... $EXT not in $ALLOWED ...>:\n  ...\n...\n"},
        {"pattern-not-inside": "if <... $EXT in $ALLOWED ...>:\n  ...\n"},
        {"pattern-not-inside": "if not <... $CHECK(...) ...>:\n  ...\n...\n"},
    ]}, severity="WARNING"),
    search("vb-py-upload-extension-from-name", "CWE-434: Unrestricted Upload of File with "
           "Dangerous Type", "The stored file keeps the extension from the uploaded name.",
           {"patterns": [
               {"pattern-either": [
                   {"pattern": "$EXT = <... $FN.rsplit(\".\", 1) ...>"},
                   {"pattern": "$EXT = os.path.splitext($FN)[1]"}]},
               {"metavariable-regex": {"metavariable": "$FN", "regex": "(?i).*(file)?name.*"}},
               {"pattern-inside": "def $F(...):\n  ...\n"},
               {"pattern-not-inside": "...\nif <... $EXT not in $ALLOWED ...>:\n  ...\n"},
           ]}, severity="WARNING")]

PY["cwe-611-xxe"] = [search(
    "vb-py-xxe", "CWE-611: XML External Entity Reference",
    "The XML parser resolves external entities: it can read local files or fetch URLs.",
    either("$P.setFeature(xml.sax.handler.feature_external_ges, True)",
           "$P.setFeature(feature_external_ges, True)",
           "$P.setFeature(xml.sax.handler.feature_external_pes, True)",
           "$P.setFeature(feature_external_pes, True)",
           "lxml.etree.XMLParser(..., resolve_entities=True, ...)",
           "lxml.etree.XMLParser(..., no_network=False, ...)",
           "lxml.etree.XMLParser(..., load_dtd=True, ...)",
           "etree.XMLParser(..., resolve_entities=True, ...)",
           "xml.dom.pulldom.parseString(...)", "xml.dom.pulldom.parse(...)"),
    severity="ERROR")]

PY["cwe-776-xml-bomb"] = [search(
    "vb-py-xml-entity-expansion", "CWE-776: XML Entity Expansion",
    "The standard-library XML parsers expand entities (billion laughs); use defusedxml.",
    either("xml.etree.ElementTree.fromstring(...)", "xml.etree.ElementTree.parse(...)",
           "xml.etree.ElementTree.XML(...)", "xml.etree.ElementTree.iterparse(...)",
           "xml.etree.cElementTree.fromstring(...)", "xml.dom.minidom.parseString(...)",
           "xml.dom.minidom.parse(...)", "xml.sax.parseString(...)",
           "lxml.etree.XMLParser(..., huge_tree=True, ...)"), severity="WARNING")]

PY["cwe-732-permissions"] = [search(
    "vb-py-permissive-mode", "CWE-732: Incorrect Permission Assignment for Critical Resource",
    "The file or folder becomes writable (or readable) by every user.",
    {"pattern-either": [
        {"patterns": [
            either("os.chmod($P, $M)", "os.makedirs($P, $M, ...)", "os.makedirs($P, mode=$M, ...)",
                   "os.mkdir($P, $M)", "os.mkdir($P, mode=$M)", "os.open($P, $FL, $M)",
                   "$PATH.chmod($M)", "$PATH.mkdir($M, ...)", "$PATH.mkdir(mode=$M, ...)",
                   "os.fchmod($FD, $M)"),
            {"metavariable-comparison": {"metavariable": "$M", "comparison":
                "$M & 0o006 != 0"}}]},
        {"pattern": "os.umask(0)"},
        {"pattern": "os.umask(0o000)"},
        {"pattern": "os.chmod($P, <... stat.S_IWOTH ...>)"},
        {"pattern": "os.chmod($P, <... stat.S_IRWXO ...>)"}]}, severity="WARNING")]

PY["cwe-312-cleartext-storage"] = [search(
    "vb-py-cleartext-password-storage", "CWE-312: Cleartext Storage of Sensitive Information",
    "A password is stored as it is; store a salted slow hash instead.",
    {"patterns": [
        {"pattern-either": [
            {"pattern": "$STORE[$K] = {..., \"password\": $PW, ...}"},
            {"pattern": "$STORE[$K] = {..., \"passwd\": $PW, ...}"},
            {"pattern": "$C.execute(\"=~/(?i)insert into.*password/\", (..., $PW, ...))"},
            {"pattern": "$C.execute(\"=~/(?i)update.*set.*password/\", (..., $PW, ...))"},
            {"pattern": "$RESP.set_cookie(\"=~/(?i)pass|card|ssn/\", ...)"}]},
        {"metavariable-regex": {"metavariable": "$PW", "regex": "(?i)^(password|passwd|pw|pwd)$"}},
    ]}, severity="WARNING")]

PY["cwe-020-input-validation"] = [search(
    "vb-py-assert-validation", "CWE-20: Improper Input Validation",
    "assert is removed under python -O: it cannot validate input.",
    {"patterns": [
        {"pattern-inside": "def $F(..., $P, ...):\n  ...\n"},
        {"pattern": "assert <... $P ...>, ..."},
        {"metavariable-regex": {"metavariable": "$P", "regex": "^(?!self$|cls$)"}},
    ]}, severity="INFO")]

C: dict[str, list[dict[str, Any]]] = {}
C["cwe-120-unbounded-copy"] = [
    search("vb-c-gets", ["CWE-242: Use of Inherently Dangerous Function",
                         "CWE-120: Buffer Copy without Checking Size of Input"],
           "gets() cannot bound its input.", {"pattern": "gets(...)"}, "ERROR", "c"),
    search("vb-c-unbounded-copy", "CWE-120: Buffer Copy without Checking Size of Input",
           "strcpy/strcat/sprintf write without a bound.",
           {"patterns": [either("strcpy($D, $S)", "strcat($D, $S)", "sprintf($D, $F, ...)",
                                "vsprintf($D, $F, ...)", "wcscpy($D, $S)"),
                         {"pattern-not": "strcpy($D, \"...\")"},
                         {"pattern-not": "strcat($D, \"...\")"},
                         {"pattern-not-inside": "if (<... strlen($S) ...>) { ... }\n...\n"},
                         {"pattern-not-inside": "if (<... strlen($S) ...>) return ...;\n...\n"},
                         {"pattern-not-inside": "if (<... strlen($S) ...>) { ... } else { ... }"}
                         ]}, "WARNING", "c"),
    search("vb-c-scanf-string", "CWE-120: Buffer Copy without Checking Size of Input",
           "%s without a width in scanf reads any length.",
           {"patterns": [either("scanf(\"$F\", ...)", "fscanf($FP, \"$F\", ...)",
                                "sscanf($S, \"$F\", ...)"),
                         {"metavariable-regex": {"metavariable": "$F", "regex": ".*%s.*"}}]},
           "ERROR", "c"),
]
C["cwe-676-dangerous-function"] = [search(
    "vb-c-dangerous-function", "CWE-676: Use of Potentially Dangerous Function",
    "This libc function is unsafe by design; use the bounded variant.",
    either("strtok(...)", "tmpnam(...)", "mktemp(...)", "atoi(...)", "getwd(...)"),
    "INFO", "c")]
C["cwe-134-format-string"] = [search(
    "vb-c-format-string", "CWE-134: Use of Externally-Controlled Format String",
    "The format string is not a literal; an attacker's %n/%s reads or writes memory.",
    {"patterns": [
        either("printf($X)", "fprintf($FP, $X)", "sprintf($B, $X)", "snprintf($B, $N, $X)",
               "syslog($P, $X)", "dprintf($FD, $X)", "vprintf($X, $A)", "printf($X, ...)",
               "fprintf($FP, $X, ...)", "snprintf($B, $N, $X, ...)"),
        {"pattern-not": "printf(\"...\", ...)"}, {"pattern-not": "fprintf($FP, \"...\", ...)"},
        {"pattern-not": "sprintf($B, \"...\", ...)"},
        {"pattern-not": "snprintf($B, $N, \"...\", ...)"},
        {"pattern-not": "syslog($P, \"...\", ...)"},
        {"metavariable-regex": {"metavariable": "$X", "regex": "^(?![A-Z_][A-Z0-9_]*$)"}},
    ]}, "ERROR", "c")]
C["cwe-078-command-injection"] = [search(
    "vb-c-command-injection", "CWE-78: OS Command Injection",
    "A shell runs a command string that is not a constant.",
    {"patterns": [either("system($X)", "popen($X, ...)", "execl(\"/bin/sh\", $A, \"-c\", $X, ...)"),
                  {"pattern-not": "system(\"...\")"}, {"pattern-not": "popen(\"...\", ...)"},
                  {"pattern-not-inside": "for ($A; $B; $C) {\n  ...\n}\n...\n"},
                  {"pattern-not-inside": "for ($T *$V = $E; $B; $C) {\n  ...\n}\n...\n"},
                  {"pattern-not-inside": "for ($T $V = $E; $B; $C) {\n  ...\n}\n...\n"},
                  {"pattern-not-inside": "if (<... strpbrk(...) ...>) return $R;\n...\n"},
                  {"pattern-not-inside": "if (<... strspn(...) ...>) return $R;\n...\n"}]},
    "ERROR", "c")]
C["cwe-022-path-traversal"] = [search(
    "vb-c-path-traversal", "CWE-22: Path Traversal",
    "A file path is built from outside data without rejecting '..'.",
    {"patterns": [
        {"pattern-either": [
            {"pattern-inside": "snprintf($BUF, $N, \"$FMT\", ..., $IN, ...);\n...\n"},
            {"pattern-inside": "sprintf($BUF, \"$FMT\", ..., $IN, ...);\n...\n"},
            {"pattern-inside": "strcat($BUF, $IN);\n...\n"}]},
        {"pattern-either": [{"pattern": "fopen($BUF, ...)"}, {"pattern": "open($BUF, ...)"}]},
        {"pattern-not-inside": "if (<... strstr($Y, \"..\") ...>) { ... }\n...\n"},
        {"pattern-not-inside": "if (<... strstr($Y, \"..\") ...>) return ...;\n...\n"},
        {"pattern-not-inside": "if (<... strchr($Y, '/') ...>) return ...;\n...\n"},
        {"pattern-not-inside": "if (<... realpath(...) ...>) { ... }\n...\n"},
        {"pattern-not-inside": "if (<... $VALID($Y) ...>) return ...;\n...\n"},
    ]}, "WARNING", "c")]
C["cwe-415-double-free"] = [search(
    "vb-c-double-free", "CWE-415: Double Free", "The same pointer is freed twice.",
    {"patterns": [
        {"pattern": "free($P);\n...\nfree($P);"},
        {"pattern-not": "free($P);\n...\n$P = $V;\n...\nfree($P);"},
        {"pattern-not": "free($P);\n...\nif (...) { ... $P = $V; ... }\n...\nfree($P);"},
        {"pattern-not-inside": "if (...) { ... free($P); ... return ...; }\n...\n"},
        {"pattern-not-inside": "if (...) { ... free($P); ... goto $L; }\n...\n"},
    ]}, "ERROR", "c")]
C["cwe-416-use-after-free"] = [search(
    "vb-c-use-after-free", "CWE-416: Use After Free", "A pointer is used after it was freed.",
    {"patterns": [
        {"pattern-inside": "free($P);\n...\n"},
        {"pattern-either": [{"pattern": "$P->$F"}, {"pattern": "*$P"}, {"pattern": "$P[$I]"}]},
        {"pattern-not-inside": "free($P);\n...\n$P = $V;\n...\n"},
        {"pattern-not-inside": "if (...) { ... free($P); ... return ...; }\n...\n"},
        {"pattern-not-inside": "if (...) { ... free($P); ... break; }\n...\n"},
    ]}, "ERROR", "c")]
C["cwe-476-null-deref"] = [search(
    "vb-c-unchecked-malloc", "CWE-476: NULL Pointer Dereference",
    "The allocation result is used without checking it for NULL.",
    {"patterns": [
        {"pattern-either": [
            {"pattern": "$P = $ALLOC(...);\n...\n<... $P->$F ...>;"},
            {"pattern": "$P = $ALLOC(...);\n...\n$P[$I] = $V;"},
            {"pattern": "$P = $ALLOC(...);\n...\n*$P = $V;"},
            {"pattern": "$P = $ALLOC(...);\n...\n$COPY($P, ...);"},
            {"pattern": "$T *$P = $ALLOC(...);\n...\n<... $P->$F ...>;"},
            {"pattern": "$T *$P = $ALLOC(...);\n...\n$P[$I] = $V;"},
            {"pattern": "$T *$P = $ALLOC(...);\n...\n$COPY($P, ...);"}]},
        {"metavariable-regex": {"metavariable": "$ALLOC", "regex": "^(malloc|calloc|realloc|strdup)$"}},  # noqa: E501
        {"metavariable-regex": {"metavariable": "$COPY",
                                "regex": "^(memcpy|memset|strcpy|strncpy|memmove|snprintf|sprintf)$"}},  # noqa: E501
        {"pattern-not": "$P = $ALLOC(...);\n...\nif (<... $P ...>) ...;\n...\n"},
        {"pattern-not": "$T *$P = $ALLOC(...);\n...\nif (<... $P ...>) ...;\n...\n"},
        {"pattern-not": "$P = $ALLOC(...);\n...\nif (<... $P ...>) { ... }\n...\n"},
        {"pattern-not": "$T *$P = $ALLOC(...);\n...\nif (<... $P ...>) { ... }\n...\n"},
    ]}, "WARNING", "c")]
C["cwe-190-integer-overflow"] = [search(
    "vb-c-alloc-size-overflow", "CWE-190: Integer Overflow or Wraparound",
    "The allocation size is a product that can wrap; check it (or use calloc).",
    {"patterns": [
        either("malloc($A * $B)", "realloc($P, $A * $B)", "malloc(($A) * $B)"),
        {"pattern-not-inside": "if (<... $A > $LIM ...>) { ... }\n...\n"},
        {"pattern-not-inside": "if (<... $A > $LIM ...>) return ...;\n...\n"},
        {"pattern-not-inside": "if (<... $A >= $LIM ...>) return ...;\n...\n"},
        {"pattern-not-inside": "if (<... $B > $LIM ...>) return ...;\n...\n"},
        {"pattern-not-inside": "if (<... __builtin_mul_overflow(...) ...>) return ...;\n...\n"},
        {"pattern-not-inside": "if (<... $A > $LIM ...>) { ... }\n...\n"},
        {"metavariable-regex": {"metavariable": "$A", "regex": "^(?![0-9]+$)(?!sizeof)"}},
    ]}, "WARNING", "c")]
C["cwe-787-out-of-bounds-write"] = [search(
    "vb-c-memcpy-unchecked-length", "CWE-787: Out-of-bounds Write",
    "memcpy copies a length taken from the input into a fixed-size buffer without a check.",
    {"patterns": [
        {"pattern-inside": "$T $FN(...) { ... $ET $BUF[$SIZE]; ... }"},
        {"pattern-either": [{"pattern": "memcpy($BUF, $SRC, $LEN);"},
                            {"pattern": "strncpy($BUF, $SRC, $LEN);"},
                            {"pattern": "memcpy($BUF + $OFF, $SRC, $LEN);"}]},
        {"metavariable-regex": {"metavariable": "$LEN", "regex": "^(?!sizeof)(?![0-9]+$).*"}},
        {"pattern-not-inside": "if (<... $LEN ...>) { ... }\n...\n"},
        {"pattern-not-inside": "if (<... $LEN ...>) return ...;\n...\n"},
        {"pattern-not-inside": "if (<... $LEN ...>) $LEN = $X;\n...\n"},
        {"pattern-not-inside": "$LEN = <... $SIZE ...>;\n...\n"},
    ]}, "ERROR", "c")]
C["cwe-125-out-of-bounds-read"] = [search(
    "vb-c-unchecked-index-read", "CWE-125: Out-of-bounds Read",
    "An array is read at an index taken from the input without a bounds check.",
    {"patterns": [
        {"pattern-inside": "$T $FN(..., $IT $IDX, ...) { ... }"},
        {"pattern-either": [{"pattern": "return $ARR[$IDX];"},
                            {"pattern": "$V = $ARR[$IDX];"}]},
        {"pattern-not-inside": "if (<... $IDX ...>) { ... }\n...\n"},
        {"pattern-not-inside": "if (<... $IDX ...>) return ...;\n...\n"},
        {"pattern-not-inside": "if (<... $IDX ...>) { ... } else { ... }"},
        {"metavariable-regex": {"metavariable": "$IT",
                                "regex": "^(int|long|size_t|unsigned|short)"}},
    ]}, "WARNING", "c")]


def main() -> None:
    for lang, pack in (("python", PY), ("c", C)):
        folder = HERE / lang
        folder.mkdir(exist_ok=True)
        for stem, rules in pack.items():
            text = "# generated by vulnbench/analyzers/rules/generate.py; edit it there\n"
            text += yaml.safe_dump({"rules": rules}, sort_keys=False, width=100)
            (folder / f"{stem}.yaml").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
