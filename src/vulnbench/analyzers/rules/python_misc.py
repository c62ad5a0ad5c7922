"""Python rules, configuration and API misuse: debug mode, credentials, TLS, crypto,
randomness, deserialization, XML parsers, temp files, permissions, uploads, storage."""

from __future__ import annotations

from typing import Any

from vulnbench.analyzers.rules.pack import CHECK_NAME, REJECT_BODIES, WEB, either, search, taint

PY: dict[str, list[dict[str, Any]]] = {}

PY["cwe-215-debug-mode"] = [search(
    "vb-py-debug-enabled", ["CWE-215: Information Exposure Through Debug Information",
                            "CWE-489: Active Debug Code"],
    "Debug mode is on: the interactive debugger / detailed errors are exposed.",
    either("$APP.run(..., debug=True, ...)", "$APP.debug = True",
           "$APP.config[\"DEBUG\"] = True", "$APP.config.update(..., DEBUG=True, ...)",
           "DEBUG = True", "$APP.config[\"PROPAGATE_EXCEPTIONS\"] = True",
           "DebuggedApplication(...)", "$APP.config.from_mapping(..., DEBUG=True, ...)",
           "fastapi.FastAPI(..., debug=True, ...)", "starlette.applications.Starlette(..., "
           "debug=True, ...)", "werkzeug.serving.run_simple(..., use_debugger=True, ...)",
           "$APP.run(..., use_debugger=True, ...)", "uvicorn.run(..., debug=True, ...)",
           "os.environ[\"FLASK_DEBUG\"] = \"1\""), severity="WARNING")]

_REAL_VALUE = ("(?i)^(?!(changeme|change[-_]me|replace[-_]?me|xxx+|\\*+|<.*>|\\$\\{.*\\}|"
               "\\{.*\\}|dummy|example|your[-_].*|test|todo|placeholder|none|null|"
               "(set|insert|put)[-_].*)$).{4,}$")
SECRET_NAME = ("(?i)^(.*_)?(password|passwd|pwd|pass|secret|secret_key|api_key|apikey|"
               "access_key|auth_token|token|private_key|client_secret|jwt_secret|"
               "signing_key|db_password|database_url|encryption_key|aes_key|hmac_key|"
               "cipher_key|fernet_key|jwt_key|master_key|webhook_secret|secret_token)$")
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
        {"metavariable-regex": {"metavariable": "$VALUE", "regex": _REAL_VALUE}},
    ]}, severity="ERROR"),
    # a fallback written into the source is the secret whenever the setting is missing;
    # an empty or placeholder default is not
    search("vb-py-hardcoded-secret-default", "CWE-798: Use of Hard-coded Credentials",
           "A secret setting falls back to a value written in the source when unset; fail "
           "instead (or use an empty placeholder).",
           {"patterns": [
               either("$D.get(\"$KEY\", \"$VALUE\")", "os.getenv(\"$KEY\", \"$VALUE\")",
                      "$D.setdefault(\"$KEY\", \"$VALUE\")"),
               {"metavariable-regex": {"metavariable": "$KEY", "regex":
                   "(?i)^[\\w.-]*(password|passwd|passphrase|secret|secret_key|api_key|apikey|"
                   "access_key|auth_token|private_key|client_secret|signing_key|_token|_pwd)$"}},
               {"metavariable-regex": {"metavariable": "$VALUE", "regex": _REAL_VALUE}}]},
           severity="ERROR"),
    search("vb-py-hardcoded-password-compare", "CWE-259: Use of Hard-coded Password",
           "A password is compared with a string written in the source.",
           {"patterns": [
               {"pattern-either": [{"pattern": "$P == \"$VALUE\""},
                                   {"pattern": "hmac.compare_digest($P, \"$VALUE\")"},
                                   {"pattern": "secrets.compare_digest($P, \"$VALUE\")"}]},
               # the compared value is the secret itself (not token.type, token_type)
               {"metavariable-regex": {"metavariable": "$P", "regex":
                   "(?i)^((.*\\.)?(\\w*_)?(password|passwd|pwd|secret|token|passphrase|api_key)"
                   "|.*(\\[|\\.get\\()\\s*[\"'](password|passwd|pwd|secret|token)[\"'].*)$"}},
               {"metavariable-regex": {"metavariable": "$VALUE", "regex": "^.{4,}$"}}]},
           severity="ERROR"),
    search("vb-py-hardcoded-jwt-key", "CWE-798: Use of Hard-coded Credentials",
           "A JWT is signed or checked with a key written into the source.",
           either("jwt.encode($P, \"...\", ...)", "jwt.decode($T, \"...\", ...)",
                  "jwt.encode($P, key=\"...\", ...)", "jwt.decode($T, key=\"...\", ...)"),
           severity="ERROR"),
    search("vb-py-hardcoded-crypto-key", "CWE-321: Use of Hard-coded Cryptographic Key",
           "An encryption or MAC key is a literal in the source: anyone with the code can "
           "decrypt or forge.",
           either(*(f"{call}({lit}, ...)" for lit in ("\"...\"", "\"...\".encode(...)")
                    for call in ("hmac.new", "Crypto.Hash.HMAC.new", "Crypto.Cipher.$C.new",
                                 "Cryptodome.Cipher.$C.new", "cryptography.fernet.Fernet",
                                 "cryptography.hazmat.primitives.ciphers.aead.AESGCM",
                                 "cryptography.hazmat.primitives.ciphers.aead.ChaCha20Poly1305",
                                 "cryptography.hazmat.primitives.ciphers.algorithms.AES",
                                 "itsdangerous.$S")),
                  "hmac.new(key=\"...\", ...)", "itsdangerous.$S(secret_key=\"...\", ...)"),
           severity="ERROR"),
    search("vb-py-credential-in-url", "CWE-798: Use of Hard-coded Credentials",
           "A connection URL carries a user name and password written into the source.",
           {"patterns": [
               {"pattern": "\"=~/^[a-zA-Z][a-zA-Z0-9+.-]*:\\/\\/[^:\\/@\\s{}]+:"
                           "[^@\\/\\s{}$%<>]{3,}@/\""},
               # a default for a local development database is a placeholder, not a secret
               *({"pattern-not-inside": f"{env}($K, \"=~/@(localhost|127\\.0\\.0\\.1|"
                                        f"0\\.0\\.0\\.0|db|postgres|mysql)[:\\/]/\")"}
                 for env in ("os.environ.get", "os.getenv", "os.environ.setdefault"))]},
           severity="ERROR")]

PY["cwe-295-tls-verification"] = [search(
    "vb-py-tls-verification-disabled", "CWE-295: Improper Certificate Validation",
    "Certificate or host name verification is switched off.",
    either("requests.$M(..., verify=False, ...)", "httpx.$M(..., verify=False, ...)",
           "$S.verify = False", "$S.verify = $A if $B else False",
           "$S.verify = False if $B else $A", "ssl._create_unverified_context(...)",
           "ssl._create_stdlib_context(...)", "$F(..., cert_reqs=ssl.CERT_NONE, ...)",
           "$F(..., cert_reqs=\"CERT_NONE\", ...)",
           "$C.set_missing_host_key_policy(paramiko.AutoAddPolicy())",
           "$C.set_missing_host_key_policy(paramiko.WarningPolicy())",
           "$C.set_missing_host_key_policy(paramiko.client.AutoAddPolicy())",
           "$CTX.verify_mode = ssl.CERT_NONE", "ssl.wrap_socket(..., cert_reqs=ssl.CERT_NONE, ...)",
           "urllib3.PoolManager(..., cert_reqs=\"CERT_NONE\", ...)",
           "httpx.Client(..., verify=False, ...)", "httpx.AsyncClient(..., verify=False, ...)",
           "aiohttp.TCPConnector(..., ssl=False, ...)"), severity="ERROR"),
    search("vb-py-hostname-check-disabled",
           ["CWE-297: Improper Validation of Certificate with Host Mismatch",
            "CWE-295: Improper Certificate Validation"],
           "Host name checking is off: any valid certificate, for any host, is accepted.",
           either("$CTX.check_hostname = False", "$F(..., assert_hostname=False, ...)",
                  "ssl.create_default_context(...).check_hostname = False"), severity="ERROR")]
# a session object's request methods (requests.Session, httpx.Client, aiohttp.ClientSession)
PY["cwe-295-tls-verification"][0]["pattern-either"].append({"patterns": [
    {"pattern-either": [{"pattern": "$S.$M(..., verify=False, ...)"},
                        {"pattern": "$S.$M(..., ssl=False, ...)"}]},
    {"metavariable-regex": {"metavariable": "$M", "regex":
        "^(get|post|put|patch|delete|head|options|request|send|stream|ws_connect)$"}}]})

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
                  "cryptography.hazmat.primitives.ciphers.algorithms.Blowfish(...)",
                  "Crypto.Cipher.$C.new($K, Crypto.Cipher.$C.MODE_ECB, ...)",
                  "Cryptodome.Cipher.$C.new($K, Cryptodome.Cipher.$C.MODE_ECB, ...)",
                  "Cryptodome.Cipher.DES.new(...)", "Cryptodome.Cipher.DES3.new(...)",
                  "Cryptodome.Cipher.ARC4.new(...)", "Cryptodome.Cipher.Blowfish.new(...)",
                  "Crypto.Cipher.ARC2.new(...)", "Crypto.Cipher.XOR.new(...)",
                  "Crypto.Cipher.CAST.new(...)", "pyDes.des(...)", "pyDes.triple_des(...)",
                  "cryptography.hazmat.primitives.ciphers.algorithms.IDEA(...)",
                  "cryptography.hazmat.primitives.ciphers.algorithms.CAST5(...)",
                  "cryptography.hazmat.primitives.ciphers.algorithms.SEED(...)",
                  "cryptography.hazmat.decrepit.ciphers.algorithms.$ALG(...)"),
           severity="ERROR"),
]

# a name for a secret value (not a cache / lookup key or a public id)
_SECRET_VAR = ("(?i)^(?!.*(cache|lookup|dict|sort|partition|idempoten|public|request_id|trace))"
               ".*(token|passw|otp|secret|api_?key|key$|session|nonce|salt|invite|reset|csrf|"
               "sid$).*")
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
    ]}, severity="WARNING"),
    search("vb-py-uuid1-secret", ["CWE-330: Use of Insufficiently Random Values",
                                  "CWE-338: Use of Cryptographically Weak PRNG"],
           "uuid1 is the clock plus the host's MAC address: guessable, not a secret; use "
           "secrets.token_urlsafe (or uuid4) for tokens and keys.",
           {"patterns": [
               {"pattern-either": [
                   {"patterns": [
                       {"pattern": "$V = <... uuid.uuid1(...) ...>"},
                       {"metavariable-regex": {"metavariable": "$V", "regex": _SECRET_VAR}}]},
                   {"patterns": [
                       {"pattern-inside": "def $F(...):\n  ...\n"},
                       {"metavariable-regex": {"metavariable": "$F", "regex": _SECRET_VAR}},
                       {"pattern": "return <... uuid.uuid1(...) ...>"}]}]}]},
           severity="WARNING")]

PY["cwe-352-csrf"] = [search(
    "vb-py-csrf-disabled", "CWE-352: Cross-Site Request Forgery",
    "CSRF protection is switched off for a state-changing endpoint.",
    either("$APP.config[\"WTF_CSRF_ENABLED\"] = False", "WTF_CSRF_ENABLED = False",
           "$APP.config[\"WTF_CSRF_CHECK_DEFAULT\"] = False",
           "@csrf_exempt\ndef $F(...):\n  ...", "@$CSRF.exempt\ndef $F(...):\n  ...",
           "@django.views.decorators.csrf.csrf_exempt\ndef $F(...):\n  ..."),
    severity="WARNING")]

_TMP_FSTRING = {"metavariable-regex": {"metavariable": "$FS",
                                      "regex": "^[fF][rR]?[\"'](/var)?/tmp/"}}
PY["cwe-377-insecure-temp"] = [search(
    "vb-py-insecure-tempfile", "CWE-377: Insecure Temporary File",
    "A predictable temporary file name can be raced or pre-created by another user.",
    {"pattern-either": [
        {"pattern": "tempfile.mktemp(...)"},
        {"pattern": "open(\"=~/^\\/(var\\/)?tmp\\//\", ...)"},
        {"pattern": "open(f\"/tmp/...\", ...)"},
        # an f-string (semgrep matches f-string fragments only exactly: check the source text)
        {"patterns": [{"pattern": "open($FS, ...)"}, _TMP_FSTRING]},
        {"pattern": "open(os.path.join(\"=~/^\\/(var\\/)?tmp/\", ...), ...)"},
        {"pattern": "open(os.path.join(tempfile.gettempdir(), ...), ...)"},
        {"pattern": "open(\"/tmp/\" + $X, ...)"},
        {"pattern": "open(\"=~/^\\/(var\\/)?tmp\\//\" % $X, ...)"},
        {"pattern": "open(\"=~/^\\/(var\\/)?tmp\\//\".format(...), ...)"},
        # the predictable name is built first, then opened
        {"patterns": [
            {"pattern-either": [
                {"pattern-inside": f"$P = {n}\n...\n"} for n in (
                    "\"=~/^\\/(var\\/)?tmp\\//\" % $X", "\"=~/^\\/(var\\/)?tmp\\//\" + $X",
                    "\"=~/^\\/(var\\/)?tmp\\//\".format(...)", "f\"/tmp/...\"",
                    "\"=~/^\\/(var\\/)?tmp\\//\"",
                    "os.path.join(\"=~/^\\/(var\\/)?tmp/\", ...)",
                    "os.path.join(tempfile.gettempdir(), ...)")] + [
                {"patterns": [{"pattern-inside": "$P = $FS\n...\n"}, _TMP_FSTRING]}]},
            {"pattern-either": [{"pattern": "open($P, ...)"}, {"pattern": "os.open($P, ...)"}]},
        ]}]}, severity="WARNING")]

# a quantified group holding a quantifier, e.g. (a+)+ or (\w+\s?)*; not one that starts with
# a mandatory separator its repeated class cannot match, e.g. (?:-[a-z0-9]+)* or (\.\w+)*:
# each repetition must begin at a separator, so the split is unique and matching is linear.
# (semgrep shows a raw string's backslashes doubled, hence \\{1,2})
_CLASS_ITEM = ("(?:(?:(?!\\1)[^\\]\\\\])-(?:(?!\\1)[^\\]\\\\])|\\\\{1,2}(?!\\1)[^\\\\]|"
               "(?!\\1)[^\\]\\\\])")
_SEP_LED = ("(?:\\?:)?\\\\{0,2}([-.@:/,_ ;|])(?:\\[" + _CLASS_ITEM + "+\\]|\\\\{1,2}[wd])"
            "(?:[+*]|\\{\\d*,?\\d*\\})\\)")
_NESTED_QUANTIFIER = f".*\\((?!{_SEP_LED})[^()]*[+*][^()]*\\)[+*{{]"
PY["cwe-1333-redos"] = [search(
    "vb-py-redos", "CWE-1333: Inefficient Regular Expression Complexity",
    "A nested quantifier makes this regular expression backtrack exponentially.",
    {"patterns": [
        either("re.$F(\"$RX\", ...)", "regex.$F(\"$RX\", ...)"),
        {"metavariable-regex": {"metavariable": "$F", "regex":
            "^(compile|match|search|fullmatch|findall|finditer|sub|subn|split)$"}},
        {"metavariable-regex": {"metavariable": "$RX", "regex": _NESTED_QUANTIFIER}},
    ]}, severity="WARNING"),
    taint("vb-py-regex-injection", "CWE-1333: Inefficient Regular Expression Complexity",
          "A regular expression is compiled from request data (ReDoS); re.escape it.",
          ["re.$F($X, ...)"], direct=WEB, spliced=[], labels=False,
          sanitizers=[{"pattern": "re.escape(...)"}], severity="WARNING")]

# a file-type check that rejects the upload: everything after it counts as checked
TYPE_CHECKS: list[dict[str, Any]] = [
    {"patterns": [
        {"pattern-either": [
            *({"pattern-inside": f"if <... $A not in $ALLOWED ...>:\n  {body}\n...\n"}
              for body in REJECT_BODIES),
            *({"pattern-inside": f"if not <... $A.endswith(...) ...>:\n  {body}\n...\n"}
              for body in REJECT_BODIES),
            {"pattern-inside": "if <... $A in $ALLOWED ...>:\n  ...\n"},
            {"pattern-inside": "if <... $A.endswith(...) ...>:\n  ...\n"},
            {"patterns": [
                {"pattern-either": [
                    *({"pattern-inside": f"if not <... $TYPECHECK(...) ...>:\n  {body}\n...\n"}
                      for body in REJECT_BODIES),
                    {"pattern-inside": "if <... $TYPECHECK(...) ...>:\n  ...\n"}]},
                {"metavariable-regex": {"metavariable": "$TYPECHECK", "regex":
                    "(?i)^(?!.*(mark_safe|unsafe)).*(allowed|valid|permitted|is_image|"
                    "image_type|extension|ext_ok|mime|filetype|file_type|what)[^.]*$"}}]}]},
        {"pattern": "$N"}, {"metavariable-regex": {"metavariable": "$N", "regex": "^\\w+$"}}]},
    # the name without the sender's extension
    {"pattern": "os.path.splitext(...)[0]"}, {"pattern": "$X.rsplit(\".\", 1)[0]"},
    {"pattern": "$X.split(\".\")[0]"}, {"pattern": "$P.stem"}, {"pattern": "$P.with_suffix(...)"},
]
# the usual names of an extension allow-list helper (semgrep cannot match a negated context
# by a name pattern)
_TYPE_CHECK_CALLS = ("allowed", "allowed_file", "is_allowed", "is_allowed_file",
                     "allowed_extension", "has_allowed_extension", "valid_extension",
                     "is_valid_extension", "is_image", "allowed_image", "is_allowed_extension")
PY["cwe-434-unrestricted-upload"] = [taint(
    "vb-py-upload-user-extension", "CWE-434: Unrestricted Upload of File with Dangerous Type",
    "An upload is stored under the name (and extension) its sender chose, without an "
    "allow-list of file types; secure_filename keeps the extension.",
    ["$FILE.save($X, ...)", "$STORAGE.save($X, ...)", "open($X, \"=~/[wax]/\", ...)",
     "open($X, mode=\"=~/[wax]/\", ...)", "aiofiles.open($X, \"=~/[wax]/\", ...)",
     "$X.write_bytes(...)", "shutil.copyfileobj($SRC, open($X, ...), ...)",
     "shutil.move($SRC, $X)", "os.rename($SRC, $X)"],
    direct=[{"patterns": [
                {"pattern-either": [
                    {"pattern-inside": "$F = $R.files[...]\n...\n"},
                    {"pattern-inside": "$F = $R.files.get(...)\n...\n"},
                    {"pattern-inside": "for $F in $R.files.getlist(...):\n  ...\n"},
                    {"pattern-inside": "for $F in $R.files.values():\n  ...\n"},
                    {"pattern-inside": "def $FN(..., $F: UploadFile, ...):\n  ...\n"},
                    {"pattern-inside": "def $FN(..., $F: UploadFile = $D, ...):\n  ...\n"},
                    {"pattern-inside": "async def $FN(..., $F: UploadFile, ...):\n  ...\n"},
                    {"pattern-inside": "async def $FN(..., $F: UploadFile = $D, ...):\n  ...\n"},
                    {"patterns": [{"pattern-inside": "def $FN(..., $F, ...):\n  ...\n"},
                                  {"metavariable-regex": {"metavariable": "$F", "regex":
                                   "(?i)^\\w*(file|upload|attachment|avatar|photo|image|picture|"
                                   "document)s?$"}}]}]},
                {"pattern": "$F.filename"}]},
            {"pattern": "$R.files[...].filename"}, {"pattern": "$R.files.get(...).filename"},
            {"patterns": [
                {"pattern-either": [
                    {"pattern-inside": "$F = $R.FILES[...]\n...\n"},
                    {"pattern-inside": "$F = $R.FILES.get(...)\n...\n"},
                    {"pattern-inside": "for $F in $R.FILES.getlist(...):\n  ...\n"},
                    {"pattern-inside": "$F = $R.FILES.getlist(...)\n...\n"}]},
                {"pattern": "$F.name"}]}],
    spliced=[], labels=False, sanitizers=TYPE_CHECKS, severity="WARNING"),
    search("vb-py-upload-extension-from-name", "CWE-434: Unrestricted Upload of File with "
           "Dangerous Type", "The stored file keeps the extension from the uploaded name.",
           {"patterns": [
               {"pattern-either": [
                   {"pattern": "$EXT = <... $FN.rsplit(\".\", 1) ...>"},
                   {"pattern": "$EXT = os.path.splitext($FN)[1]"}]},
               {"metavariable-regex": {"metavariable": "$FN", "regex": "(?i).*(file)?name.*"}},
               {"pattern-inside": "def $F(...):\n  ...\n"},
               {"pattern-not-inside": "...\nif <... $EXT not in $ALLOWED ...>:\n  ...\n"},
               # the name passed an allow-list check first (a reject branch, or a guard)
               *({"pattern-not-inside": f"if <... not {c}(...) ...>:\n  {body}\n...\n"}
                 for c in _TYPE_CHECK_CALLS for body in REJECT_BODIES),
               *({"pattern-not-inside": f"if <... {c}(...) ...>:\n  ...\n"}
                 for c in _TYPE_CHECK_CALLS),
           ]}, severity="WARNING")]

PY["cwe-611-xxe"] = [search(
    "vb-py-xxe", ["CWE-611: XML External Entity Reference",
                  "CWE-827: Improper Control of Document Type Definition"],
    "The XML parser resolves external entities: it can read local files or fetch URLs.",
    either("$P.setFeature(xml.sax.handler.feature_external_ges, True)",
           "$P.setFeature(feature_external_ges, True)",
           "$P.setFeature(xml.sax.handler.feature_external_pes, True)",
           "$P.setFeature(feature_external_pes, True)",
           "lxml.etree.XMLParser(..., resolve_entities=True, ...)",
           "lxml.etree.XMLParser(..., no_network=False, ...)",
           "lxml.etree.XMLParser(..., load_dtd=True, ...)",
           "etree.XMLParser(..., resolve_entities=True, ...)",
           "lxml.etree.XMLParser(..., dtd_validation=True, ...)",
           "etree.XMLParser(..., load_dtd=True, ...)",
           "etree.XMLParser(..., no_network=False, ...)",
           "xmltodict.parse(..., disable_entities=False, ...)",
           "$P.setFeature(xml.sax.handler.feature_external_ges, 1)",
           "$P.setFeature(feature_external_ges, 1)",
           "xml.dom.pulldom.parseString(...)", "xml.dom.pulldom.parse(...)"),
    severity="ERROR")]

PY["cwe-776-xml-bomb"] = [search(
    "vb-py-xml-entity-expansion", "CWE-776: XML Entity Expansion",
    "The standard-library XML parsers expand entities (billion laughs); use defusedxml.",
    either("xml.etree.ElementTree.fromstring(...)", "xml.etree.ElementTree.parse(...)",
           "xml.etree.ElementTree.XML(...)", "xml.etree.ElementTree.iterparse(...)",
           "xml.etree.cElementTree.fromstring(...)", "xml.dom.minidom.parseString(...)",
           "xml.dom.minidom.parse(...)", "xml.sax.parseString(...)",
           "lxml.etree.XMLParser(..., huge_tree=True, ...)",
           "lxml.etree.iterparse(..., huge_tree=True, ...)",
           "lxml.etree.XMLPullParser(..., huge_tree=True, ...)"), severity="WARNING")]
# XML that ships inside the package is as trusted as the code
for _rule in PY["cwe-776-xml-bomb"]:
    _either = _rule.pop("pattern-either")
    _rule["patterns"] = [{"pattern-either": _either}] + [
        {"pattern-not-inside": f"$D = <... {src} ...>\n...\n$PARSE(<... $D ...>, ...)"}
        for src in (
            "importlib.resources.files(...)", "importlib.resources.read_binary(...)",
            "importlib.resources.read_text(...)", "pkgutil.get_data(...)",
            "pkg_resources.resource_string(...)")]
    _rule["patterns"] += [
        {"pattern-not": f"$PARSE(<... {src} ...>, ...)"} for src in (
            "importlib.resources.files(...)", "importlib.resources.read_binary(...)",
            "importlib.resources.read_text(...)", "pkgutil.get_data(...)",
            "pkg_resources.resource_string(...)", "pkg_resources.resource_stream(...)")]

_SECRET_FILE = ("(?i).*(secret|private|passw|credential|token|api_?key|\\.pem\\b|\\.key\\b|id_rsa|"
                "id_ed25519|\\.env\\b|shadow|keyring|wallet|vault)")
_MODE_CALLS = either(
    "os.chmod($P, $M)", "os.makedirs($P, $M, ...)", "os.makedirs($P, mode=$M, ...)",
    "os.mkdir($P, $M)", "os.mkdir($P, mode=$M)", "os.open($P, $FL, $M)", "$PATH.chmod($M)",
    "$PATH.mkdir($M, ...)", "$PATH.mkdir(mode=$M, ...)", "os.fchmod($FD, $M)",
    "$PATH.touch($M, ...)", "$PATH.touch(mode=$M, ...)", "os.mkfifo($P, $M)", "os.lchmod($P, $M)")
PY["cwe-732-permissions"] = [search(
    "vb-py-permissive-mode", ["CWE-732: Incorrect Permission Assignment for Critical Resource",
                              "CWE-276: Incorrect Default Permissions"],
    "The file or folder becomes writable by every user (or a secret readable by every user).",
    {"pattern-either": [
        # writable by every user
        {"patterns": [_MODE_CALLS, {"metavariable-comparison": {
            "metavariable": "$M", "comparison": "$M & 0o002 != 0"}}]},
        # readable by every user: a flaw only for a secret (0o644 on a page, 0o755 on a folder
        # are the norm); the path or the function names the secret
        *({"patterns": [_MODE_CALLS,
                        {"metavariable-comparison": {"metavariable": "$M",
                                                     "comparison": "$M & 0o004 != 0"}},
                        *extra]}
          for extra in ([{"metavariable-regex": {"metavariable": "$P", "regex": _SECRET_FILE}}],
                        [{"metavariable-regex": {"metavariable": "$PATH",
                                                 "regex": _SECRET_FILE}}],
                        [{"pattern-inside": "def $FN(...):\n  ...\n"},
                         {"metavariable-regex": {"metavariable": "$FN",
                                                 "regex": _SECRET_FILE}}])),
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

PW_NAME = "(?i)^(\\w*_)?(password|passwd|passwort|passphrase|pwd)$"
PY["cwe-312-cleartext-storage"].append(taint(
    "vb-py-cleartext-password-write", "CWE-312: Cleartext Storage of Sensitive Information",
    "A password ends up in a file or a cookie as it is (base64 and JSON are not protection); "
    "keep it in the OS keyring or store a salted slow hash.",
    ["$RESP.set_cookie($K, $X, ...)", "$RESP.set_cookie($K, value=$X, ...)",
     "$P.write_text($X, ...)", "$P.write_bytes($X, ...)", "$FH.write($X)",
     "json.dump($X, ...)", "yaml.dump($X, ...)", "yaml.safe_dump($X, ...)",
     "pickle.dump($X, ...)", "$CFG.set($SECTION, $KEY, $X)", "$CFG[$SECTION][$KEY] = $X"],
    direct=[{"patterns": [{"pattern": "$PW"},
                          {"metavariable-regex": {"metavariable": "$PW", "regex": PW_NAME}}]},
            {"patterns": [{"pattern": "$O.$PW"},
                          {"metavariable-regex": {"metavariable": "$PW", "regex": PW_NAME}}]},
            {"pattern": "$D[\"=~/(?i)^(password|passwd|pwd|passphrase)$/\"]"},
            {"pattern": "$D.get(\"=~/(?i)^(password|passwd|pwd|passphrase)$/\", ...)"},
            {"pattern": "getpass.getpass(...)"}],
    spliced=[], labels=False, severity="WARNING"))
PY["cwe-312-cleartext-storage"][-1]["pattern-sanitizers"] = [
    {"patterns": [{"pattern": "$HASH(...)"}, {"metavariable-regex": {"metavariable": "$HASH",
     "regex": "(?i).*(hash|crypt|argon|pbkdf|hmac|sign|digest|seal|protect|fernet|"
              "make_password|keyring|vault|kdf).*"}}]},
    {"pattern": "len(...)"}, {"pattern": "bool(...)"}]
# a password written into a log line is stored in the clear too
_PW_WRITE = PY["cwe-312-cleartext-storage"][-1]
_PW_WRITE["metadata"]["cwe"].append("CWE-532: Insertion of Sensitive Information into Log File")
_PW_WRITE["pattern-sinks"] += [{"patterns": [
    {"pattern": sink}, {"metavariable-regex": {"metavariable": "$L", "regex":
                        "^(debug|info|warning|warn|error|critical|exception|log)$"}},
    {"metavariable-regex": {"metavariable": "$LOG", "regex": "(?i)^(logging|\\w*log\\w*)$"}},
    {"focus-metavariable": "$X"}]} for sink in ("$LOG.$L($X, ...)", "$LOG.$L($FMT, ..., $X, ...)")]

PY["cwe-020-input-validation"] = [search(
    "vb-py-assert-validation", "CWE-20: Improper Input Validation",
    "assert is removed under python -O: it cannot validate input.",
    {"patterns": [
        {"pattern-inside": "def $F(..., $P, ...):\n  ...\n"},
        {"pattern": "assert <... $P ...>, ..."},
        {"metavariable-regex": {"metavariable": "$P", "regex": "^(?!self$|cls$)"}},
    ]}, severity="INFO")]

# a quantity or amount from the request changes a balance/stock/total without a lower bound:
# a negative value reverses the operation (CWE-1284 is the specific weakness)
_LEDGER = ("(?i)(.*[._])?\\w*(balance|total|stock|credit|debit|amount|inventory|points|funds|"
           "quantity|qty|wallet|price|cost|subtotal|sum)\\w*$")
_BOUNDED_FIELD = ["$F: $T = Field(..., gt=$N, ...)", "$F: $T = Field(..., ge=$N, ...)",
                  "$F: conint(..., gt=$N, ...)", "$F: conint(..., ge=$N, ...)",
                  "$F: condecimal(..., gt=$N, ...)", "$F: condecimal(..., ge=$N, ...)",
                  "$F: confloat(..., gt=$N, ...)", "$F: confloat(..., ge=$N, ...)",
                  "$F: PositiveInt", "$F: NonNegativeInt", "$F: PositiveFloat",
                  "$F: PositiveInt = $D", "$F: NonNegativeInt = $D",
                  "$F: Annotated[$T, Field(..., gt=$N, ...)]",
                  "$F: Annotated[$T, Field(..., ge=$N, ...)]",
                  "@validator(...)\ndef $V(...):\n  ...",
                  "@field_validator(...)\ndef $V(...):\n  ..."]
_LOWER_BOUND = ["$X <= $N", "$X < $N", "$X > $N", "$X >= $N", "$N < $X", "$N <= $X",
                "$N > $X", "$N >= $X"]
PY["cwe-020-input-validation"].append({
    "id": "vb-py-unchecked-amount", "mode": "taint", "languages": ["python"],
    "severity": "WARNING",
    "message": "A quantity or amount from the request changes a balance, stock or total "
               "without a check that it is positive: a negative value reverses the operation.",
    "metadata": {"cwe": ["CWE-20: Improper Input Validation",
                         "CWE-1284: Improper Validation of Specified Quantity in Input"],
                 "category": "security", "confidence": "LOW"},
    "pattern-sources": WEB,
    "pattern-sinks": [
        {"patterns": [
            {"pattern-either": [{"pattern": "$T += $X"}, {"pattern": "$T -= $X"},
                                {"pattern": "$T = $T + $X"}, {"pattern": "$T = $T - $X"},
                                {"pattern": "$M.objects.filter(...).update($T=F($S) + $X)"},
                                {"pattern": "$M.objects.filter(...).update($T=F($S) - $X)"}]},
            {"metavariable-regex": {"metavariable": "$T", "regex": _LEDGER}},
            *({"pattern-not-inside": "class $M(...):\n  ...\n  " + b.replace("\n", "\n  ")
               + "\n  ...\n...\n"} for b in _BOUNDED_FIELD),
            {"focus-metavariable": "$X"}]}],
    "pattern-sanitizers": [
        # compared with a constant (a literal number or an UPPER_CASE limit) counts as bounded
        {"by-side-effect": True, "patterns": [
            {"pattern-either": [{"pattern": p} for p in _LOWER_BOUND]},
            {"metavariable-regex": {"metavariable": "$N",
                                    "regex": "^(-?[0-9][0-9_.]*|[A-Z][A-Z0-9_]*)$"}},
            {"focus-metavariable": "$X"}]},
        {"by-side-effect": True, "patterns": [
            {"pattern-either": [{"pattern": "$A <= $X <= $B"}, {"pattern": "$A < $X <= $B"},
                                {"pattern": "$A <= $X < $B"}, {"pattern": "$A < $X < $B"}]},
            {"focus-metavariable": "$X"}]},
        {"pattern": "max(...)"}, {"pattern": "abs(...)"}, {"pattern": "len(...)"},
        {"by-side-effect": True, "patterns": [
            {"pattern": "$CHECK(..., $X, ...)"},
            {"metavariable-regex": {"metavariable": "$CHECK", "regex": CHECK_NAME}},
            {"focus-metavariable": "$X"}]}],
})
