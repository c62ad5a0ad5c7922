import re

from flask import request

# ok: vb-py-redos
EMAIL = re.compile(r"^[a-zA-Z0-9]+@example\.com$")


def grep(lines):
    # ok: vb-py-regex-injection
    pattern = re.compile(re.escape(request.args["q"]))
    return [ln for ln in lines if pattern.search(ln)]
