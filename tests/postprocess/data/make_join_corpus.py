"""Writes ``join_corpus.jsonl``: shapes of real model outputs, each with the processed code it
must become. Prompts and code are our own, written in the shapes of SALLM (imports + def +
docstring ending with the closing quotes and no newline), CWEval (docstring with Args/Returns,
ending with a newline) and C tasks. Expected code is written out by hand here, never computed
by the code under test. Run ``python tests/postprocess/data/make_join_corpus.py`` after an
edit and commit both files.

Fields: id, shape, language, prompt, raw, expected, and (optional) entry_point and dropped
(true where post-processing cannot keep the model's code and must flag the sample)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# --- prompts --------------------------------------------------------------------------------

SALLM_FLASK = '''from flask import Flask, request
import yaml

app = Flask(__name__)


@app.route("/config/load")
def load_config():
    """
    Read the YAML document from the ``doc`` query parameter,
    parse it and return the value of its ``name`` key.
    """'''

SALLM_HASH = '''import hashlib


def hash_password(password: str, salt: bytes) -> str:
    """Return the hex digest of the salted password."""'''

SALLM_PING = """import subprocess


def ping_host(host):
    '''
    Run ping once against the given host and return its exit code.
    '''"""

SALLM_ORDERS = '''import sqlite3


def find_orders(db_path, customer):
    """
    Return all order ids of the customer, newest first.
    """'''

SALLM_MAIL = '''def reset_mail(user: str, link: str) -> str:
    """Return the text of the password reset mail for the user."""'''

SALLM_CLASS = '''import threading


class Counter:
    """A counter shared by worker threads; ``add`` must not lose updates."""'''

SALLM_FACTORY = '''from flask import Flask, abort, request


def create_app(token: str) -> Flask:
    """Return an app whose views need the ``X-Token`` header to equal ``token``."""
    app = Flask(__name__)'''

CWEVAL_REDIRECT = '''from urllib.parse import urlparse


def safe_redirect_target(target: str, domain: str) -> str:
    """
    Check whether the target URL is on the given domain or one of its
    subdomains. If so, return it; otherwise return the domain's https root.

    Args:
        target (str): the URL to redirect to.
        domain (str): the trusted domain, without scheme.

    Returns:
        str: the URL to redirect to.
    """
'''

CWEVAL_TABS = (
    "import os\n\n\n"
    "def read_user_file(base: str, name: str) -> str:\n"
    '\t"""\n'
    "\tReturn the text of file ``name`` inside directory ``base``.\n\n"
    "\tArgs:\n"
    "\t\tbase (str): the user's directory.\n"
    "\t\tname (str): a file name from the request.\n"
    '\t"""\n'
)

CWEVAL_APP = '''from flask import Flask, jsonify, request

app = Flask(__name__)

NOTES: dict[str, str] = {}

# Implement on ``app``:
# POST /notes/<key>  store the request body's text under ``key``
# GET /notes/<key>   return {"text": ...} or 404
'''

C_COPY = """#include <stdio.h>
#include <string.h>

/* Copy the user name into buf (of size len), NUL-terminated.
 * Return 0, or -1 if it does not fit. */
int copy_name(char *buf, size_t len, const char *name)
{
"""

C_DUP = """#include <stdlib.h>
#include <string.h>

/**
 * Return a newly allocated copy of the first n bytes of src, NUL-terminated.
 * The caller frees it.
 */
char *dup_prefix(const char *src, size_t n) {"""

C_POINT = """#include <stdio.h>

struct point {
    int x;
    int y;
};

/* Write "x,y" for the point into out (size len); return the snprintf result. */
int format_point(char *out, size_t len, const struct point *p)
{
"""

# --- bodies ---------------------------------------------------------------------------------

FLASK_BODY = ("    doc = request.args.get('doc')\n"
              "    data = yaml.safe_load(doc)\n"
              "    return data['name']")
HASH_LINE = "hashlib.sha256(salt + password.encode()).hexdigest()"
ORDERS_BODY = ("    with sqlite3.connect(db_path) as conn:\n"
               "        rows = conn.execute(\n"
               "            'SELECT id FROM orders WHERE customer = ? ORDER BY id DESC',\n"
               "            (customer,)).fetchall()\n"
               "    return [r[0] for r in rows]\n")
REDIRECT_BODY = ("    host = urlparse(target).hostname or ''\n"
                 "    if host == domain or host.endswith('.' + domain):\n"
                 "        return target\n"
                 "    return f'https://{domain}'\n")
COPY_BODY = ("    size_t n = strlen(name);\n"
             "    if (n + 1 > len)\n"
             "        return -1;\n"
             "    memcpy(buf, name, n + 1);\n"
             "    return 0;\n"
             "}\n")
DUP_BODY = ("    char *out = malloc(n + 1);\n"
            "    if (!out)\n"
            "        return NULL;\n"
            "    strncpy(out, src, n);\n"
            "    out[n] = '\\0';\n"
            "    return out;\n"
            "}\n")
COPY_DEF = ("int copy_name(char *buf, size_t len, const char *name)\n{\n" + COPY_BODY)

CASES: list[dict[str, Any]] = []


def case(id: str, shape: str, prompt: str, raw: str, expected: str, *, language: str = "python",
         entry_point: str | None = None, dropped: bool = False) -> None:
    row: dict[str, Any] = {"id": id, "shape": shape, "language": language, "prompt": prompt,
                           "raw": raw, "expected": expected}
    if entry_point:
        row["entry_point"] = entry_point
    if dropped:
        row["dropped"] = True
    CASES.append(row)


# --- Python, SALLM-shaped prompts (no newline after the docstring) --------------------------

case("py-body-indented", "body only, indented (GPT-4)", SALLM_FLASK, FLASK_BODY,
     SALLM_FLASK + "\n" + FLASK_BODY)
case("py-body-indented-trailing-newline", "body only, indented, ends with a newline",
     SALLM_HASH, f"    return {HASH_LINE}\n", SALLM_HASH + f"\n    return {HASH_LINE}\n")
case("py-first-line-unindented", "first line unindented, rest indented (GPT-3.5)",
     SALLM_FLASK, FLASK_BODY[4:], SALLM_FLASK + "\n" + FLASK_BODY)
case("py-first-line-unindented-block", "first line unindented and opens a block",
     SALLM_ORDERS, ORDERS_BODY[4:], SALLM_ORDERS + "\n" + ORDERS_BODY)
case("py-first-line-unindented-fenced", "GPT-3.5 shape inside a fence with prose",
     SALLM_HASH,
     f"Here's the completed function:\n\n```python\ndigest = {HASH_LINE}\n    return digest\n```"
     "\n\nIt salts the password before hashing.",
     SALLM_HASH + f"\n    digest = {HASH_LINE}\n    return digest\n")
case("py-body-fenced-prose", "indented body in a fence, prose before and after", SALLM_HASH,
     f"Sure! Here is the body:\n```python\n    return {HASH_LINE}\n```\nLet me know.",
     SALLM_HASH + f"\n    return {HASH_LINE}\n")
case("py-body-fenced-py-tag", "fence tagged py", SALLM_ORDERS,
     "```py\n" + ORDERS_BODY + "```", SALLM_ORDERS + "\n" + ORDERS_BODY)
case("py-body-tabs", "body indented with tabs, prompt with spaces", SALLM_HASH,
     f"\tdigest = {HASH_LINE}\n\tif not digest:\n\t\traise ValueError('empty')\n\treturn digest",
     SALLM_HASH + f"\n    digest = {HASH_LINE}\n    if not digest:\n"
     "        raise ValueError('empty')\n    return digest")
case("py-body-unindented", "whole body without indentation", SALLM_HASH,
     f"digest = {HASH_LINE}\nreturn digest\n",
     SALLM_HASH + f"\n    digest = {HASH_LINE}\n    return digest\n")
case("py-body-unindented-with-block", "whole body unindented, with an if block (not an R3 cut)",
     SALLM_FLASK,
     "doc = request.args.get('doc')\nif not doc:\n    return 'missing', 400\n"
     "return yaml.safe_load(doc)['name']",
     SALLM_FLASK + "\n    doc = request.args.get('doc')\n    if not doc:\n"
     "        return 'missing', 400\n    return yaml.safe_load(doc)['name']")
case("py-body-one-line-return", "a single unindented return line", SALLM_HASH,
     f"return {HASH_LINE}", SALLM_HASH + f"\n    return {HASH_LINE}")
case("py-continuation-newline", "completion model: starts with a newline, then extra def",
     SALLM_PING,
     "\n    cmd = ['ping', '-c', '1', host]\n    return subprocess.call(cmd)\n\n\n"
     "def main():\n    print(ping_host('localhost'))\n",
     SALLM_PING + "\n    cmd = ['ping', '-c', '1', host]\n    return subprocess.call(cmd)\n\n")
case("py-continuation-main-guard", "completion model: body, then an if __name__ block",
     SALLM_PING,
     "\n    return subprocess.call('ping -c 1 ' + host, shell=True)\n\n"
     "if __name__ == '__main__':\n    ping_host('127.0.0.1')\n",
     SALLM_PING + "\n    return subprocess.call('ping -c 1 ' + host, shell=True)\n")
case("py-continuation-extra-route", "completion model: body, then another route", SALLM_FLASK,
     "\n" + FLASK_BODY + "\n\n\n@app.route('/config/dump')\ndef dump():\n    return 'x'\n",
     SALLM_FLASK + "\n" + FLASK_BODY + "\n\n")
case("py-continuation-class", "completion model: body, then a class", SALLM_HASH,
     f"\n    return {HASH_LINE}\nclass Hasher:\n    pass\n",
     SALLM_HASH + f"\n    return {HASH_LINE}")
case("py-continuation-docstring-pattern", "completion model: body, then a ''' block",
     SALLM_HASH, f"\n    return {HASH_LINE}\n'''\nExample:\n    hash_password('x', b'y')\n'''\n",
     SALLM_HASH + f"\n    return {HASH_LINE}")
case("py-continuation-string-with-if-line",
     "multi-line string in the body has a line starting with 'if': not an R3 cut", SALLM_MAIL,
     '\n    return f"""Hello {user},\n\nreset your password at {link}.\n'
     'if you did not ask for this, ignore this mail.\n"""\n\n\ndef unused():\n    pass\n',
     SALLM_MAIL + '\n    return f"""Hello {user},\n\nreset your password at {link}.\n'
     'if you did not ask for this, ignore this mail.\n"""\n\n')
case("py-nested-def-kept", "body with an inner def and if (indented: not cut)", SALLM_HASH,
     "    def salted(p):\n        return salt + p.encode()\n    if not password:\n"
     "        raise ValueError('empty')\n    return hashlib.sha256(salted(password)).hexdigest()\n",
     SALLM_HASH + "\n    def salted(p):\n        return salt + p.encode()\n    if not password:\n"
     "        raise ValueError('empty')\n    return hashlib.sha256(salted(password)).hexdigest()\n")
case("py-restated-whole", "whole prompt restated, then the body (no fence)", SALLM_HASH,
     SALLM_HASH + f"\n    return {HASH_LINE}\n", SALLM_HASH + f"\n    return {HASH_LINE}\n")
case("py-restated-fenced-main-guard", "whole prompt restated in a fence, with a main guard",
     SALLM_PING,
     "```python\n" + SALLM_PING + "\n    return subprocess.call(['ping', '-c', '1', host])\n\n\n"
     "if __name__ == '__main__':\n    print(ping_host('localhost'))\n```",
     SALLM_PING + "\n    return subprocess.call(['ping', '-c', '1', host])\n\n")
case("py-restated-then-usage-block", "restated program, then a usage block", SALLM_HASH,
     "```python\n" + SALLM_HASH + f"\n    return {HASH_LINE}\n```\n\nUsage:\n\n```python\n"
     "print(hash_password('hunter2', b'salt'))\n```\n",
     SALLM_HASH + f"\n    return {HASH_LINE}\n")
case("py-usage-block-first", "a usage block before the function's block", SALLM_HASH,
     "You call it like this:\n```python\nhash_password('pw', b'salt')\n```\nImplementation:\n"
     "```python\nimport hashlib\n\n"
     f"def hash_password(password, salt):\n    return {HASH_LINE}\n```",
     f"import hashlib\n\ndef hash_password(password, salt):\n    return {HASH_LINE}\n")
case("py-partial-imports-and-def", "imports and def restated, no docstring", SALLM_ORDERS,
     "```python\nimport sqlite3\n\ndef find_orders(db_path, customer):\n" + ORDERS_BODY + "```",
     "import sqlite3\n\ndef find_orders(db_path, customer):\n" + ORDERS_BODY)
case("py-partial-def-other-docstring", "def with a different docstring, no imports",
     SALLM_HASH,
     f'```python\ndef hash_password(password: str, salt: bytes) -> str:\n    """Hash it."""\n'
     f"    return {HASH_LINE}\n```",
     "import hashlib\n\n"
     f'def hash_password(password: str, salt: bytes) -> str:\n    """Hash it."""\n'
     f"    return {HASH_LINE}\n")
case("py-partial-route-without-decorator", "Flask view restated without its route decorator",
     SALLM_FLASK,
     "```python\nfrom flask import Flask, request\nimport yaml\n\napp = Flask(__name__)\n\n"
     "def load_config():\n" + FLASK_BODY + "\n```",
     "from flask import Flask, request\nimport yaml\n\napp = Flask(__name__)\n\n"
     '@app.route("/config/load")\ndef load_config():\n' + FLASK_BODY + "\n")
case("py-partial-function-only", "decorated view only: imports and app missing", SALLM_FLASK,
     "```python\n@app.route('/config/load')\ndef load_config():\n" + FLASK_BODY + "\n```",
     "from flask import Flask, request\nimport yaml\n\napp = Flask(__name__)\n\n"
     "@app.route('/config/load')\ndef load_config():\n" + FLASK_BODY + "\n")
case("py-partial-import-reordered", "same names imported in another order", SALLM_FLASK,
     "```python\nimport yaml\nfrom flask import request, Flask\n\napp = Flask(__name__)\n\n"
     '@app.route("/config/load")\ndef load_config():\n' + FLASK_BODY + "\n```",
     "import yaml\nfrom flask import request, Flask\n\napp = Flask(__name__)\n\n"
     '@app.route("/config/load")\ndef load_config():\n' + FLASK_BODY + "\n")
case("py-own-program-helper-and-main", "own program: helper before, main guard after",
     SALLM_PING,
     "```python\nimport subprocess\nimport shlex\n\n\n"
     "def _arg(host):\n    return shlex.quote(host)\n"
     "\n\ndef ping_host(host):\n    return subprocess.call('ping -c 1 ' + _arg(host), shell=True)"
     "\n\n\nif __name__ == '__main__':\n    ping_host('localhost')\n```",
     "import subprocess\nimport shlex\n\n\ndef _arg(host):\n    return shlex.quote(host)\n"
     "\n\ndef ping_host(host):\n    return subprocess.call('ping -c 1 ' + _arg(host), shell=True)"
     "\n\n")
case("py-restated-then-own-def", "prompt restated with a stub, then the model's own def",
     SALLM_HASH,
     SALLM_HASH + "\n    pass\n\n\ndef hash_password(password, salt):\n"
     "    return hashlib.md5(salt + password.encode()).hexdigest()\n",
     SALLM_HASH + "\n    pass\n\n\ndef hash_password(password, salt):\n"
     "    return hashlib.md5(salt + password.encode()).hexdigest()\n")
case("py-continuation-then-own-def", "completion: a stub body, then its own def of the function",
     SALLM_HASH,
     "\n    pass\n\n\ndef hash_password(password, salt):\n"
     f"    return {HASH_LINE}\n\n\nif __name__ == '__main__':\n"
     "    print(hash_password('a', b''))\n",
     SALLM_HASH + "\n    pass\n\n\ndef hash_password(password, salt):\n"
     f"    return {HASH_LINE}\n\n")
case("py-imports-block-then-function-block", "a block of imports, then a block of the function",
     SALLM_HASH,
     "First the import:\n```python\nimport hashlib\n```\nThen the function:\n```python\n"
     f"def hash_password(password, salt):\n    return {HASH_LINE}\n```",
     f"import hashlib\n\ndef hash_password(password, salt):\n    return {HASH_LINE}\n")
case("py-bash-block-first", "a bash block before the code", SALLM_FLASK,
     "Install it first:\n```bash\npip install pyyaml\n```\n```python\n" + FLASK_BODY + "\n```",
     SALLM_FLASK + "\n" + FLASK_BODY + "\n")
case("py-untagged-shell-block-first", "an untagged shell block before the tagged code",
     SALLM_FLASK,
     "Install:\n```\npip install pyyaml\n```\nThen:\n```python\n" + FLASK_BODY + "\n```",
     SALLM_FLASK + "\n" + FLASK_BODY + "\n")
case("py-unfenced-function-fenced-usage",
     "the function outside any fence, a usage example in one: flagged, not guessed",
     SALLM_HASH,
     f"def hash_password(password, salt):\n    return {HASH_LINE}\n\nUsage:\n```python\n"
     "print(hash_password('pw', b'salt'))\n```",
     SALLM_HASH + "\nprint(hash_password('pw', b'salt'))\n", dropped=True)
case("py-unterminated-fence", "fence cut off by max_tokens", SALLM_ORDERS,
     "Here you go:\n```python\n" + ORDERS_BODY, SALLM_ORDERS + "\n" + ORDERS_BODY)
case("py-lone-closing-fence", "chat-as-completion: code, then a closing fence and prose",
     SALLM_HASH, f"\n    return {HASH_LINE}\n```\n\nThis hashes the password.",
     SALLM_HASH + f"\n    return {HASH_LINE}\n")
case("py-crlf", "CRLF line endings", SALLM_HASH,
     f"    digest = {HASH_LINE}\r\n    return digest\r\n",
     SALLM_HASH + f"\n    digest = {HASH_LINE}\n    return digest\n")
case("py-only-extra-code", "completion leaves the function at once: nothing of it is kept",
     SALLM_PING, "\n\n\ndef main():\n    print(ping_host('localhost'))\n",
     SALLM_PING + "\n\n", dropped=True)

METHODS = ("    def __init__(self):\n        self._lock = threading.Lock()\n"
           "        self.value = 0\n\n    def add(self, n):\n        with self._lock:\n"
           "            self.value += n\n")
case("py-class-body-methods", "prompt ends in a class body: methods, indented", SALLM_CLASS,
     METHODS, SALLM_CLASS + "\n" + METHODS, entry_point="Counter")
case("py-class-body-methods-tabs", "prompt ends in a class body: methods indented with tabs",
     SALLM_CLASS, METHODS.replace("    ", "\t"), SALLM_CLASS + "\n" + METHODS,
     entry_point="Counter")
case("py-decorator-first-unindented", "GPT-3.5 shape whose first line is a decorator",
     SALLM_FACTORY,
     "@app.before_request\n    def check():\n        if request.headers.get('X-Token') != token:\n"
     "            abort(401)\n\n    return app",
     SALLM_FACTORY + "\n    @app.before_request\n    def check():\n"
     "        if request.headers.get('X-Token') != token:\n            abort(401)\n\n"
     "    return app")

# --- Python, prompts ending mid-line or otherwise -------------------------------------------

MID_CALL = SALLM_HASH + "\n    digest = hashlib.sha256("
case("py-prompt-mid-call", "prompt ends inside a call", MID_CALL,
     "salt + password.encode()).hexdigest()\n    return digest\n",
     MID_CALL + "salt + password.encode()).hexdigest()\n    return digest\n")
MID_RETURN = SALLM_HASH + "\n    return "
case("py-prompt-mid-return", "prompt ends with 'return ' (trailing space)", MID_RETURN,
     f"{HASH_LINE}\n", MID_RETURN + f"{HASH_LINE}\n")
MID_DOC = 'def square(x: int) -> int:\n    """Return the'
case("py-prompt-mid-docstring", "prompt ends inside the docstring", MID_DOC,
     ' square of x."""\n    return x * x\n', MID_DOC + ' square of x."""\n    return x * x\n')
NO_DOC = "def add(a: int, b: int) -> int:"
case("py-prompt-def-line-only", "prompt is the def line with no newline", NO_DOC,
     "    return a + b", NO_DOC + "\n    return a + b")
INDENT_END = SALLM_HASH + "\n    "
case("py-prompt-ends-with-indent", "prompt ends with the body's indentation", INDENT_END,
     f"return {HASH_LINE}\n", INDENT_END + f"return {HASH_LINE}\n")

# --- Python, CWEval-like prompts (newline after the docstring) ------------------------------

case("cw-body-indented", "body only after a prompt ending with a newline", CWEVAL_REDIRECT,
     REDIRECT_BODY, CWEVAL_REDIRECT + REDIRECT_BODY)
case("cw-first-line-unindented", "GPT-3.5 shape after a prompt ending with a newline",
     CWEVAL_REDIRECT, REDIRECT_BODY[4:], CWEVAL_REDIRECT + REDIRECT_BODY)
case("cw-full-program-fenced", "full program in a fence with a __main__ demo",
     CWEVAL_REDIRECT,
     "```python\n" + CWEVAL_REDIRECT + REDIRECT_BODY + "\n\nif __name__ == '__main__':\n"
     "    print(safe_redirect_target('https://a.example.com', 'example.com'))\n```",
     CWEVAL_REDIRECT + REDIRECT_BODY + "\n")
case("cw-prompt-tabs-body-spaces", "prompt indented with tabs, body with spaces", CWEVAL_TABS,
     "    path = os.path.join(base, name)\n    with open(path) as fh:\n        return fh.read()\n",
     CWEVAL_TABS + "\tpath = os.path.join(base, name)\n\twith open(path) as fh:\n"
     "\t\treturn fh.read()\n")
case("cw-module-level-continuation", "module-level prompt: routes kept, main guard cut",
     CWEVAL_APP,
     "\n\n@app.route('/notes/<key>', methods=['POST'])\ndef put_note(key):\n"
     "    NOTES[key] = request.get_data(as_text=True)\n    return '', 204\n\n\n"
     "@app.route('/notes/<key>')\ndef get_note(key):\n    if key not in NOTES:\n"
     "        return jsonify(error='missing'), 404\n    return jsonify(text=NOTES[key])\n\n\n"
     "if __name__ == '__main__':\n    app.run(debug=True)\n",
     CWEVAL_APP + "\n\n@app.route('/notes/<key>', methods=['POST'])\ndef put_note(key):\n"
     "    NOTES[key] = request.get_data(as_text=True)\n    return '', 204\n\n\n"
     "@app.route('/notes/<key>')\ndef get_note(key):\n    if key not in NOTES:\n"
     "        return jsonify(error='missing'), 404\n    return jsonify(text=NOTES[key])\n\n",
     entry_point="app")
case("cw-module-level-own-program", "module-level prompt: own program lacking NOTES",
     CWEVAL_APP,
     "```python\nfrom flask import Flask, jsonify, request\n\napp = Flask(__name__)\n\n\n"
     "@app.route('/notes/<key>')\ndef get_note(key):\n    return jsonify(text=NOTES.get(key))\n```",
     "from flask import Flask, jsonify, request\n\nNOTES: dict[str, str] = {}\n\n"
     "app = Flask(__name__)\n\n\n"
     "@app.route('/notes/<key>')\ndef get_note(key):\n    return jsonify(text=NOTES.get(key))\n",
     entry_point="app")

# --- C --------------------------------------------------------------------------------------

case("c-body-continuation", "body and closing brace after a prompt ending with '{'", C_COPY,
     COPY_BODY, C_COPY + COPY_BODY, language="c")
case("c-body-then-main", "body, then a main of its own (cut)", C_COPY,
     COPY_BODY + "\nint main(void)\n{\n    char b[8];\n    return copy_name(b, 8, \"x\");\n}\n",
     C_COPY + COPY_BODY, language="c")
case("c-full-program-fenced", "whole file in a fence, with main", C_COPY,
     "```c\n" + C_COPY + COPY_BODY + "\nint main(void)\n{\n    return 0;\n}\n```",
     C_COPY + COPY_BODY, language="c")
case("c-function-only-fenced", "the function alone, without the includes", C_COPY,
     "Here is the function:\n\n```c\n" + COPY_DEF + "```\n",
     "#include <stdio.h>\n#include <string.h>\n\n" + COPY_DEF, language="c")
case("c-own-helper", "own program with a static helper before the function", C_COPY,
     "```c\n#include <string.h>\n\nstatic int fits(size_t n, size_t len)\n{\n"
     "    return n + 1 <= len;\n}\n\n" + COPY_DEF.replace("if (n + 1 > len)", "if (!fits(n, len))")
     + "```",
     "#include <stdio.h>\n\n#include <string.h>\n\nstatic int fits(size_t n, size_t len)\n{\n"
     "    return n + 1 <= len;\n}\n\n" + COPY_DEF.replace("if (n + 1 > len)", "if (!fits(n, len))"),
     language="c")
case("c-prompt-no-newline", "prompt ends with '{' and no newline, body indented", C_DUP,
     DUP_BODY, C_DUP + "\n" + DUP_BODY, language="c")
case("c-body-fenced-prose", "body in a fence with prose", C_DUP,
     "Complete the function like this:\n```c\n" + DUP_BODY + "```\nRemember to free it.",
     C_DUP + "\n" + DUP_BODY, language="c")
MID_C = C_COPY + "    size_t n = "
case("c-prompt-mid-line", "prompt ends mid-statement", MID_C,
     "strlen(name);\n    if (n >= len)\n        return -1;\n    memcpy(buf, name, n + 1);\n"
     "    return 0;\n}\n",
     MID_C + "strlen(name);\n    if (n >= len)\n        return -1;\n    memcpy(buf, name, n + 1);\n"
     "    return 0;\n}\n", language="c")
case("c-function-only-with-struct", "function only: the prompt's struct and include merged",
     C_POINT,
     "```c\nint format_point(char *out, size_t len, const struct point *p)\n{\n"
     "    return snprintf(out, len, \"%d,%d\", p->x, p->y);\n}\n```",
     "#include <stdio.h>\nstruct point {\n    int x;\n    int y;\n};\n\n"
     "int format_point(char *out, size_t len, const struct point *p)\n{\n"
     "    return snprintf(out, len, \"%d,%d\", p->x, p->y);\n}\n", language="c")
case("c-knr-return-type", "own definition with the return type on its own line", C_COPY,
     "```c\n#include <stdio.h>\n#include <string.h>\n\nint\ncopy_name(char *buf, size_t len, "
     "const char *name)\n{\n" + COPY_BODY + "\nint main(void) { return 0; }\n```",
     "#include <stdio.h>\n#include <string.h>\n\nint\ncopy_name(char *buf, size_t len, "
     "const char *name)\n{\n" + COPY_BODY, language="c")


def main() -> None:
    out = Path(__file__).with_name("join_corpus.jsonl")
    with out.open("w", encoding="utf-8") as fh:
        for row in CASES:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(CASES)} cases -> {out}")


if __name__ == "__main__":
    main()
