"""Python rules for the long tail of CWEs real benchmarks label: timing-unsafe comparison,
ignored verification results, weak keys, fast or constant-salted password hashes, cleartext
protocols, ``is`` on literals, port reuse, fail-open exception handling, obsolete TLS APIs,
unverified JWTs, session cookies without HttpOnly.

Each rule keeps to the forms whose insecurity does not depend on context the rule cannot see;
the safe idioms beside them (env secrets, ``is None``, SO_REUSEADDR, md5 cache keys) stay silent."""

from __future__ import annotations

from typing import Any

from vulnbench.analyzers.rules.pack import either, search

PY: dict[str, list[dict[str, Any]]] = {}

# the last name of an expression (after `obj.` / before `()`) that holds a secret to compare
_SECRET_LAST = ("(?i)^(.*\\.)?(?!(verify|check|has|is|use|require|validate|needs?)_)"
                "(\\w*_)?(signature|sig|hmac|token|secret|api_?key|otp|otp_code|"
                "password_hash|pw_hash|passwd_hash|hashed_password|pass_hash|key_hash|"
                "token_hash|mac_digest)(\\(\\))?$")
_SECRET_KEYED = ("(?i)^.*(\\.get\\(|\\[)\\s*[\"'][\\w-]*(signature|token|api[-_]?key|secret|hmac|"
                 "password_hash)[\"']\\s*(\\)|\\]).*$")
_NOT_LITERAL = ("^(?!(None|True|False|-?[0-9][0-9_.]*|[rbuf]*[\"'].*|len\\(.*|\\[\\]|\\{\\}|"
                "\\(\\))$)")
PY["cwe-208-timing-unsafe-compare"] = [search(
    "vb-py-timing-unsafe-compare",
    ["CWE-208: Observable Timing Discrepancy", "CWE-385: Covert Timing Channel"],
    "A secret, token, signature or password hash is compared with ==, which stops at the "
    "first differing byte; use hmac.compare_digest.",
    {"patterns": [
        {"pattern-either": [
            {"pattern": "$S == $O"}, {"pattern": "$O == $S"},
            {"pattern": "$S != $O"}, {"pattern": "$O != $S"}]},
        {"metavariable-regex": {"metavariable": "$S", "regex": "|".join(
            f"(?:{rx})" for rx in (_SECRET_LAST, _SECRET_KEYED,
                                   "^hmac\\.new\\(.*\\)\\.(hex)?digest\\(\\)$"))}},
        {"metavariable-regex": {"metavariable": "$O", "regex": _NOT_LITERAL}},
        # a new password checked against its confirmation is not a secret comparison
        {"metavariable-regex": {"metavariable": "$O",
                                "regex": "(?i)^(?!.*(confirm|repeat|again|retype|verify_pw)).*$"}},
        # a lexer's token-type constants (TOKEN_NAME), an object's own __eq__
        {"metavariable-regex": {"metavariable": "$O",
                                "regex": "^(?!(\\w+\\.)?(TOKEN|TOK|TK|TT)_[A-Z0-9_]+$)"}},
        {"pattern-not-inside": "def __eq__(...):\n  ...\n"},
        {"pattern-not-inside": "def __ne__(...):\n  ...\n"},
    ]}, severity="WARNING")]

# verification calls that report failure only through their return value
_VERIFIERS = ("hmac\\.compare_digest|secrets\\.compare_digest|bcrypt\\.checkpw|"
              "(?:\\w+\\.)*check_password_hash|(?:\\w+\\.)*check_password|constant_time_compare|"
              "\\w*form\\.is_valid|\\w*form\\.validate(?:_on_submit)?|os\\.access|"
              "\\w*(?:pwd|password|crypt)_context\\.verify")
PY["cwe-252-unchecked-return"] = [search(
    "vb-py-unchecked-verification",
    ["CWE-252: Unchecked Return Value", "CWE-754: Improper Check for Unusual or Exceptional "
     "Condition"],
    "A verification call's result (a bool) is thrown away: the check decides nothing.",
    # a statement that is only the call (line start), so the bool goes nowhere
    {"pattern-regex": f"(?m)^[ \\t]*(?:{_VERIFIERS})\\([^\\n]*$"}, severity="ERROR")]

_SMALL_BYTES = {"metavariable-comparison": {"metavariable": "$N", "comparison": "$N < 16"}}
_SMALL = {"metavariable-comparison": {"metavariable": "$N", "comparison": "$N < 2048"}}
PY["cwe-326-weak-key"] = [search(
    "vb-py-weak-key-size", "CWE-326: Inadequate Encryption Strength",
    "An RSA/DSA key shorter than 2048 bits can be factored or forged.",
    {"patterns": [
        either("cryptography.hazmat.primitives.asymmetric.rsa.generate_private_key(..., "
               "key_size=$N, ...)",
               "cryptography.hazmat.primitives.asymmetric.rsa.generate_private_key($E, $N, ...)",
               "cryptography.hazmat.primitives.asymmetric.dsa.generate_private_key(..., "
               "key_size=$N, ...)",
               "cryptography.hazmat.primitives.asymmetric.dsa.generate_private_key($N, ...)",
               "Crypto.PublicKey.RSA.generate($N, ...)", "Crypto.PublicKey.DSA.generate($N, ...)",
               "Cryptodome.PublicKey.RSA.generate($N, ...)", "rsa.newkeys($N, ...)",
               "Crypto.PublicKey.RSA.generate(bits=$N, ...)",
               "OpenSSL.crypto.PKey().generate_key($T, $N)", "$K.generate_key($T, $N)"),
        _SMALL]},
    severity="ERROR"),
    search("vb-py-short-random-key", "CWE-326: Inadequate Encryption Strength",
           "A key or token of fewer than 16 random bytes (128 bits) can be brute-forced.",
           {"patterns": [
               {"pattern-either": [
                   {"pattern": f"$V = {call}($N)"} for call in (
                       "secrets.token_hex", "secrets.token_bytes", "secrets.token_urlsafe",
                       "os.urandom", "Crypto.Random.get_random_bytes")]},
               {"metavariable-regex": {"metavariable": "$V", "regex":
                   "(?i)^(.*\\.)?(\\w*_)?(key|secret|token|api_key|apikey|secret_key|hmac_key|"
                   "signing_key|session_id|sid)$"}},
               _SMALL_BYTES]}, severity="WARNING"),
    search("vb-py-weak-curve", "CWE-326: Inadequate Encryption Strength",
           "A curve under 224 bits gives less than 112-bit security.",
           either("cryptography.hazmat.primitives.asymmetric.ec.SECP192R1(...)",
                  "cryptography.hazmat.primitives.asymmetric.ec.SECT163K1(...)",
                  "cryptography.hazmat.primitives.asymmetric.ec.SECT163R2(...)"),
           severity="WARNING")]

# a password (never a token, key or file): names like password, user.passwd, data["password"]
PW = ("(?i)^(.*\\.)?(\\w*_)?(password|passwd|passwort|passphrase|pwd|pw|plaintext|plain)$")
PW_KEYED = "(?i)^.*(\\[|\\.get\\()\\s*[\"'](password|passwd|pwd|passphrase)[\"'].*$"
_PW_IN = [{"metavariable-regex": {"metavariable": "$PW", "regex": f"(?:{PW})|(?:{PW_KEYED})"}}]
_FAST = ("^(md5|sha1|sha224|sha256|sha384|sha512|sha3_224|sha3_256|sha3_384|sha3_512|"
         "blake2b|blake2s|new)$")
PY["cwe-916-password-hash"] = [search(
    "vb-py-fast-password-hash",
    ["CWE-916: Use of Password Hash With Insufficient Computational Effort",
     "CWE-759: Use of a One-Way Hash without a Salt"],
    "A password is hashed with a fast digest (MD5/SHA-x): offline guessing runs at billions "
    "per second. Use bcrypt, scrypt, argon2 or PBKDF2 with a random salt.",
    {"patterns": [
        {"pattern-either": [
            {"pattern": "hashlib.$H(<... $PW ...>, ...)"},
            {"pattern": "hashlib.new($ALG, <... $PW ...>, ...)"},
            {"patterns": [{"pattern-inside": "$HH = hashlib.$H(...)\n...\n"},
                          {"pattern": "$HH.update(<... $PW ...>)"}]}]},
        {"metavariable-regex": {"metavariable": "$H", "regex": _FAST}}, *_PW_IN]},
    severity="ERROR"),
    search("vb-py-constant-salt", "CWE-760: Use of a One-Way Hash with a Predictable Salt",
           "The password hash uses a salt written into the source: equal passwords hash "
           "alike and one precomputed table covers every account.",
           either("hashlib.pbkdf2_hmac($A, $P, \"...\", ...)",
                  "hashlib.pbkdf2_hmac($A, $P, \"...\".encode(...), ...)",
                  "hashlib.pbkdf2_hmac($A, $P, salt=\"...\", ...)",
                  "hashlib.scrypt($P, salt=\"...\", ...)",
                  "hashlib.scrypt($P, salt=\"...\".encode(...), ...)",
                  "cryptography.hazmat.primitives.kdf.pbkdf2.PBKDF2HMAC(..., salt=\"...\", ...)",
                  "cryptography.hazmat.primitives.kdf.scrypt.Scrypt(..., salt=\"...\", ...)",
                  "bcrypt.hashpw($P, \"...\")", "crypt.crypt($P, \"...\")"),
           severity="ERROR"),
    search("vb-py-low-kdf-iterations",
           "CWE-916: Use of Password Hash With Insufficient Computational Effort",
           "PBKDF2 with fewer than 100,000 iterations is cheap to brute-force "
           "(OWASP asks for 600,000 with SHA-256).",
           {"patterns": [
               either("hashlib.pbkdf2_hmac($A, $P, $S, $N, ...)",
                      "hashlib.pbkdf2_hmac(..., iterations=$N, ...)",
                      "cryptography.hazmat.primitives.kdf.pbkdf2.PBKDF2HMAC(..., "
                      "iterations=$N, ...)", "Crypto.Protocol.KDF.PBKDF2(..., count=$N, ...)"),
               {"metavariable-comparison": {"metavariable": "$N", "comparison": "$N < 100000"}}]},
           severity="WARNING")]

_PLAIN_URL = "\"=~/^http:\\/\\/(?!(localhost|127\\.0\\.0\\.1|0\\.0\\.0\\.0|\\[::1\\])[:\\/]|" \
             "localhost$)/\""
PY["cwe-319-cleartext-transmission"] = [search(
    "vb-py-cleartext-protocol", "CWE-319: Cleartext Transmission of Sensitive Information",
    "Credentials go over a protocol without encryption (FTP / Telnet / SMTP without "
    "STARTTLS); use FTP_TLS, SSH, SMTP_SSL or starttls() before login().",
    {"pattern-either": [
        {"pattern": "$F = ftplib.FTP(...)\n...\n$F.login(...)"},
        {"pattern": "with ftplib.FTP(...) as $F:\n  ...\n  $F.login(...)"},
        {"pattern": "ftplib.FTP($H, $U, $P, ...)"},
        {"pattern": "ftplib.FTP(..., user=$U, ...)"},
        {"pattern": "telnetlib.Telnet(...)"},
        {"patterns": [
            {"pattern-either": [
                {"pattern": "$S = smtplib.SMTP(...)\n...\n$S.login(...)"},
                {"pattern": "with smtplib.SMTP(...) as $S:\n  ...\n  $S.login(...)"}]},
            {"pattern-not": "$S = smtplib.SMTP(...)\n...\n$S.starttls(...)\n...\n$S.login(...)"},
            {"pattern-not": "with smtplib.SMTP(...) as $S:\n  ...\n  $S.starttls(...)\n  ...\n"
                            "  $S.login(...)"}]}]}, severity="WARNING"),
    search("vb-py-credentials-over-http",
           "CWE-319: Cleartext Transmission of Sensitive Information",
           "Credentials or a token travel in a plain http:// request; use https.",
           {"pattern-either": [
               {"patterns": [
                   either(*(f"requests.$M({_PLAIN_URL}, ..., {kw}, ...)" for kw in (
                       "auth=$A", "headers={..., \"Authorization\": $A, ...}",
                       "data={..., \"password\": $A, ...}", "json={..., \"password\": $A, ...}",
                       "headers={..., \"X-API-Key\": $A, ...}"))),
                   {"metavariable-regex": {"metavariable": "$M",
                                           "regex": "^(get|post|put|patch|delete|request)$"}}]},
               {"pattern": "\"=~/^http:\\/\\/[^\\s]*[?&](token|access_token|api_key|apikey|"
                           "password|passwd|secret|auth)=/\""}]}, severity="WARNING")]

PY["cwe-595-is-comparison"] = [search(
    "vb-py-is-literal-compare", "CWE-595: Comparison of Object References Instead of Object "
    "Contents", "`is` compares identity, not value: a string or number literal is not reliably "
    "the same object; use ==.",
    {"pattern-either": [
        {"pattern": "$X is \"...\""}, {"pattern": "$X is not \"...\""},
        {"pattern": "\"...\" is $X"},
        {"patterns": [{"pattern-either": [{"pattern": "$X is $N"}, {"pattern": "$X is not $N"}]},
                      {"metavariable-regex": {"metavariable": "$N",
                                              "regex": "^-?[0-9][0-9_.]*$"}}]}]},
    severity="WARNING")]

PY["cwe-605-socket-reuse"] = [search(
    "vb-py-socket-reuseport", "CWE-605: Multiple Binds to the Same Port",
    "SO_REUSEPORT lets another process bind the same port and receive part of the traffic. "
    "(SO_REUSEADDR, which only skips TIME_WAIT on POSIX, is not flagged.)",
    {"patterns": [{"pattern": "$S.setsockopt($L, socket.SO_REUSEPORT, $V)"},
                  {"pattern-not": "$S.setsockopt($L, socket.SO_REUSEPORT, 0)"},
                  {"pattern-not": "$S.setsockopt($L, socket.SO_REUSEPORT, False)"}]},
    severity="WARNING")]

_VERIFY_CALL = ("(?i)^(jwt\\.decode|(.*\\.)?(verify\\w*|\\w*_verify|verify|authenticate|"
                "check_password\\w*|checkpw|check_auth\\w*|check_permission\\w*|"
                "require_\\w+|validate_(token|signature|session|user|auth)\\w*|"
                "decode_token|verify_token|\\w*authori[sz]e\\w*))$")
_SWALLOW = ("pass", "return True")
PY["cwe-703-exception-handling"] = [search(
    "vb-py-fail-open-verification",
    ["CWE-703: Improper Check or Handling of Exceptional Conditions",
     "CWE-636: Not Failing Securely ('Failing Open')"],
    "A failed verification raises, and the except clause swallows it: the code carries on "
    "as if the check had passed.",
    {"patterns": [
        {"pattern-either": [
            {"pattern": f"try:\n  ...\n  $V(...)\n  ...\nexcept{exc}:\n  {body}"}
            for exc in ("", " $E", " $E as $N") for body in _SWALLOW] + [
            {"pattern": f"try:\n  ...\n  $R = $V(...)\n  ...\nexcept{exc}:\n  {body}"}
            for exc in ("", " $E", " $E as $N") for body in _SWALLOW]},
        {"metavariable-regex": {"metavariable": "$V", "regex": _VERIFY_CALL}}]},
    severity="ERROR"),
    search("vb-py-assert-authorization",
           ["CWE-703: Improper Check or Handling of Exceptional Conditions",
            "CWE-617: Reachable Assertion"],
           "An authorization check written as assert disappears under python -O.",
           {"patterns": [
               {"pattern": "assert $C, ..."},
               {"metavariable-regex": {"metavariable": "$C", "regex":
                   "(?i).*(is_admin|is_staff|is_superuser|is_authenticated|\\.role\\b|"
                   "\\broles?\\b|permission|has_perm|authori[sz]|owner|can_(edit|delete|"
                   "access|view|write)|current_user).*"}},
               {"pattern-inside": "def $F(...):\n  ...\n"},
               {"metavariable-regex": {"metavariable": "$F", "regex": "^(?!test)"}},
               {"pattern-not-inside": "if __name__ == \"__main__\":\n  ...\n"}]},
           severity="WARNING")]

PY["cwe-347-signature-verification"] = [search(
    "vb-py-jwt-unverified", "CWE-347: Improper Verification of Cryptographic Signature",
    "The JWT is decoded without checking its signature (or with the 'none' algorithm): "
    "anyone can forge its claims.",
    {"pattern-either": [
        {"pattern": "jwt.decode(..., options={..., \"verify_signature\": False, ...}, ...)"},
        {"pattern": "jwt.decode(..., verify=False, ...)"},
        {"pattern": "jwt.decode(..., algorithms=[..., \"none\", ...], ...)"},
        {"pattern": "jose.jwt.decode(..., options={..., \"verify_signature\": False, ...}, ...)"},
        {"pattern": "jwt.get_unverified_claims(...)"},
        {"patterns": [
            {"pattern-inside": "$OPTS = {..., \"verify_signature\": False, ...}\n...\n"},
            {"pattern": "jwt.decode(..., options=$OPTS, ...)"}]}]},
    severity="ERROR")]

# a cookie that carries a session or a credential (a CSRF token is meant for scripts to read)
_AUTH_COOKIE = ("(?i)^(?!.*(csrf|xsrf)).*(session|sess_?id|sid|auth|token|jwt|remember|login|"
                "access|refresh|credential).*$")
_SET_COOKIE = either("$RESP.set_cookie($NAME, ...)", "$RESP.set_cookie(key=$NAME, ...)")
PY["cwe-614-insecure-cookie"] = [search(
    "vb-py-cookie-missing-flags",
    ["CWE-614: Sensitive Cookie in HTTPS Session Without 'Secure' Attribute",
     "CWE-1004: Sensitive Cookie Without 'HttpOnly' Flag"],
    "A session or credential cookie is set without httponly=True (readable by any injected "
    "script) or with secure=False (sent over plain http).",
    {"patterns": [
        _SET_COOKIE,
        {"metavariable-regex": {"metavariable": "$NAME", "regex": _AUTH_COOKIE}},
        {"pattern-either": [
            {"pattern": "$RESP.set_cookie(..., secure=False, ...)"},
            {"pattern": "$RESP.set_cookie(..., httponly=False, ...)"},
            # (secure left out is the norm of apps served behind a TLS proxy: not flagged)
            {"patterns": [{"pattern": "$RESP.set_cookie(...)"},
                          {"pattern-not": "$RESP.set_cookie(..., httponly=$H, ...)"}]}]},
        # options passed on from elsewhere
        {"pattern-not": "$RESP.set_cookie(..., **$KW)"}]}, severity="WARNING")]

PY["cwe-477-deprecated-insecure"] = [search(
    "vb-py-obsolete-tls", ["CWE-477: Use of Obsolete Function",
                           "CWE-327: Use of a Broken or Risky Cryptographic Algorithm"],
    "SSLv2/SSLv3/TLS 1.0/1.1 and ssl.wrap_socket are obsolete: weak protocol versions and, "
    "for wrap_socket, no host name check.",
    either("ssl.wrap_socket(...)", "ssl.PROTOCOL_SSLv2", "ssl.PROTOCOL_SSLv3",
           "ssl.PROTOCOL_TLSv1", "ssl.PROTOCOL_TLSv1_1", "ssl.TLSVersion.SSLv3",
           "ssl.TLSVersion.TLSv1", "ssl.TLSVersion.TLSv1_1", "OpenSSL.SSL.SSLv2_METHOD",
           "OpenSSL.SSL.SSLv3_METHOD", "OpenSSL.SSL.TLSv1_METHOD", "OpenSSL.SSL.TLSv1_1_METHOD"),
    severity="WARNING"),
    search("vb-py-obsolete-function", "CWE-477: Use of Obsolete Function",
           "cgi.escape leaves quotes unescaped; os.tempnam/tmpnam give racy names "
           "(both are removed from Python 3).",
           either("cgi.escape(...)", "os.tempnam(...)", "os.tmpnam(...)"),
           severity="WARNING")]

# a view named or routed for deleting / changing / administering records ...
_MUTATING_VIEW = ("(?i)^(admin\\w*|\\w*_admin|(\\w+_)?(delete|remove|destroy|purge|update|edit|"
                  "modify|promote|demote|ban|unban|deactivate|disable|grant|revoke|set_role|"
                  "change_role|make_admin)(_\\w+)?)$")
# ... whose code (decorators included) mentions no user, session, role or credential at all
_ANY_CHECK = ("(?i)(login_required|auth|permission|current_user|get_current_user|"
              "(?<![.\\w])session\\b|g\\.user|request\\.user|self\\.user|is_admin|is_staff|is_superuser|role|owner|"
              "abort\\(\\s*40[13]|status_code\\s*=\\s*40[13]|\\b40[13]\\b|forbidden|jwt|token|"
              "api_?key|verify|require|check_|identity|principal|privilege|scope|acl|"
              "@\\w*\\.before_request)")
_WRITES = either("$X.delete(...)", "$X.execute(\"=~/(?i)^\\s*(delete|update|insert|drop)\\b/\", "
                 "...)", "$S.commit()", "$C.delete_one(...)", "$C.delete_many(...)",
                 "$C.update_one(...)", "$C.update_many(...)", "$C.replace_one(...)",
                 "del $D[$K]", "$D.pop(...)", "os.remove(...)", "os.unlink(...)",
                 "shutil.rmtree(...)", "$X.save(...)", "$X.update(...)")
# a Django view fetching a record by the id from its URL, and the checks that make a delete of
# it safe (the owner in the lookup, a permission, a staff test)
_FETCH_BY_ID = ("get_object_or_404($M, ..., $K=$ID, ...)", "$M.objects.get(..., $K=$ID, ...)")
_OWNER_CHECK = ("(request\\.user|is_staff|is_superuser|has_perm|permission_required|"
                "user_passes_test|staff_member_required|\\w*admin_required|owner|"
                "PermissionDenied|HttpResponseForbidden|status=403|PermissionRequiredMixin)")
PY["cwe-862-missing-authorization"] = [search(
    "vb-py-unprotected-admin-view",
    ["CWE-862: Missing Authorization", "CWE-285: Improper Authorization"],
    "A view that deletes, changes or administers records runs for anyone: no login, role or "
    "ownership check anywhere in it.",
    {"patterns": [
        {"pattern-either": [
            # a mutating view that writes; anything served under /admin is privileged as it is
            {"patterns": [{"pattern": f"@$APP.$M($ROUTE, ...)\n{a}def $F(...):\n  $...BODY"},
                          *extra]}
            for a in ("", "async ")
            for extra in (
                [{"metavariable-regex": {"metavariable": "$F", "regex": _MUTATING_VIEW}},
                 {"metavariable-pattern": {"metavariable": "$...BODY", **_WRITES}}],
                [{"metavariable-regex": {"metavariable": "$ROUTE",
                                         "regex": "(?i)^.[^\"']*/admin"}}])]},
        {"metavariable-regex": {"metavariable": "$M", "regex":
            "^(route|get|post|put|patch|delete|api_route)$"}},
        {"pattern-not-regex": _ANY_CHECK}]}, severity="WARNING"),
    search("vb-py-unowned-delete",
           ["CWE-862: Missing Authorization", "CWE-639: Authorization Bypass Through "
            "User-Controlled Key"],
           "A view deletes the record whose id is in the URL with no ownership or permission "
           "check: being logged in is not being allowed to delete someone else's record.",
           {"patterns": [
               {"pattern-either": [
                   {"pattern": f"def $F(request, ..., $ID, ...):\n  ...\n  $O = {get}\n  ...\n"
                               "  $O.delete()\n  ...\n"}
                   for get in _FETCH_BY_ID] + [
                   {"pattern": f"def $F(request, ..., $ID, ...):\n  ...\n  {get}.delete()\n"
                               "  ...\n"}
                   for get in (*_FETCH_BY_ID, "$M.objects.filter(..., $K=$ID, ...)")]},
               {"pattern-not-regex": _OWNER_CHECK}]}, severity="WARNING")]

# a size, count or exponent taken from the request drives an allocation or a loop
_ROUTE_PARAM_UNBOUNDED: dict[str, Any] = {"patterns": [
    # the parameter where it is declared (a source at every use could not be sanitized)
    {"pattern-either": [{"pattern": "@$APP.$M(...)\ndef $F(..., $P, ...):\n  ...\n"},
                        {"pattern": "@$APP.$M(...)\nasync def $F(..., $P, ...):\n  ...\n"}]},
    {"metavariable-regex": {"metavariable": "$M",
                            "regex": "^(route|get|post|put|patch|delete|api_route)$"}},
    # FastAPI's Query(le=...) / Path(lt=...) bound it already
    *({"pattern-not": f"{a}def $F(..., $P: $T = $Q(..., {kw}=$N, ...), ...):\n  ...\n"}
      for kw in ("le", "lt") for a in ("", "async ")),
    {"focus-metavariable": "$P"}]}
_REQUEST_VALUE: dict[str, Any] = {"patterns": [
    {"pattern-either": [{"pattern": "$REQ.$ATTR"}, {"pattern": "$REQ.$ATTR(...)"}]},
    {"metavariable-regex": {"metavariable": "$REQ", "regex": "^(flask\\.)?(request|req)$"}},
    {"metavariable-regex": {"metavariable": "$ATTR",
                            "regex": "^(GET|POST|args|form|values|json|get_json|query_params)$"}}]}
PY["cwe-400-resource-exhaustion"] = [{
    "id": "vb-py-unbounded-size", "mode": "taint", "languages": ["python"],
    "severity": "WARNING",
    "message": "A size, count or exponent from the request sets an allocation, an image, a "
               "loop or a sleep with no upper bound: one request can exhaust memory or CPU.",
    "metadata": {"cwe": ["CWE-400: Uncontrolled Resource Consumption",
                         "CWE-770: Allocation of Resources Without Limits or Throttling"],
                 "category": "security", "confidence": "LOW"},
    "pattern-sources": [_ROUTE_PARAM_UNBOUNDED, _REQUEST_VALUE,
                        # the length the client claims for its body
                        {"pattern": "$H.get(\"=~/(?i)^content-length$/\", ...)"},
                        {"pattern": "$H[\"=~/(?i)^content-length$/\"]"}],
    "pattern-sinks": [{"patterns": [{"pattern": p}, {"focus-metavariable": "$X"}]} for p in (
        "range($X)", "range($A, $X, ...)", "bytearray($X)", "bytes($X)", "os.urandom($X)",
        "\"...\" * $X", "[...] * $X", "$Y ** $X", "pow($Y, $X, ...)", "math.factorial($X)",
        "time.sleep($X)", "PIL.Image.new($MODE, ($X, $Y), ...)",
        "PIL.Image.new($MODE, ($Y, $X), ...)", "$IMG.resize(($X, $Y), ...)",
        "$IMG.resize(($Y, $X), ...)", "numpy.zeros($X, ...)", "numpy.ones($X, ...)",
        "secrets.token_bytes($X)", "secrets.token_hex($X)", "$STREAM.read($X)")],
    "pattern-sanitizers": [
        {"pattern": "min(...)"}, {"pattern": "len(...)"},
        # used after `if <comparison of it>: raise / return / abort`
        {"patterns": [
            {"pattern-either": [
                {"pattern-inside": f"if <... {cmp} ...>:\n  {body}\n...\n"}
                for cmp in ("$X < $N", "$X <= $N", "$X > $N", "$X >= $N", "$A <= $X <= $N",
                            "$A < $X <= $N", "$A <= $X < $N", "$A < $X < $N")
                for body in ("raise ...", "return ...", "abort(...)")]},
            {"pattern": "$X"}]},
        {"by-side-effect": True, "patterns": [
            {"pattern-either": [{"pattern": p} for p in (
                "$X < $N", "$X <= $N", "$X > $N", "$X >= $N", "$N < $X", "$N <= $X",
                "$N > $X", "$N >= $X", "$A <= $X <= $B", "$A < $X <= $B", "$A <= $X < $B",
                "$A < $X < $B", "$X in $R")]},
            {"focus-metavariable": "$X"}]}],
}]

# a credential handed to a logger (passwords: vb-py-cleartext-password-write, CWE-312)
_CREDENTIAL = ("(?i)^((self|request|req|flask\\.request)\\.)?"
               # a masked copy (safe_headers, redacted_token) is what should be logged
               "(?!\\w*(safe|mask|redact|saniti|clean|scrub|filter|obfusc|public|hash))"
               "(\\w*_)?(secret|token|api_key|apikey|"
               "access_key|access_token|refresh_token|id_token|client_secret|private_key|"
               "credentials?|authorization|auth_header|bearer|headers|session_key|cookie|"
               "cookies)$")
PY["cwe-532-log-secrets"] = [search(
    "vb-py-credential-in-log", "CWE-532: Insertion of Sensitive Information into Log File",
    "A token, key or the request headers go into a log, where everyone who reads logs "
    "(and every log pipeline) gets the credential.",
    {"patterns": [
        {"pattern-either": [{"pattern": "$LOG.$L(..., $ARG, ...)"},
                            {"pattern": "$LOG.$L(..., f\"...{$ARG}...\", ...)"}]},
        {"metavariable-regex": {"metavariable": "$L", "regex":
            "^(debug|info|warning|warn|error|critical|exception|log)$"}},
        {"metavariable-regex": {"metavariable": "$LOG", "regex": "(?i)^(logging|\\w*log\\w*)$"}},
        {"metavariable-regex": {"metavariable": "$ARG", "regex": _CREDENTIAL}}]},
    severity="WARNING")]
