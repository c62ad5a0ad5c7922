import re

from flask import request

# ok: vb-py-redos
EMAIL = re.compile(r"^[a-zA-Z0-9]+@example\.com$")


def grep(lines):
    # ok: vb-py-regex-injection
    pattern = re.compile(re.escape(request.args["q"]))
    return [ln for ln in lines if pattern.search(ln)]

# ok: vb-py-redos
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# ok: vb-py-redos
HOST = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$")
