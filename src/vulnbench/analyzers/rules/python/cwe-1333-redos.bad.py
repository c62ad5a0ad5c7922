import re

from flask import request

# ruleid: vb-py-redos
EMAIL = re.compile(r"^([a-zA-Z0-9]+)+@example\.com$")


def grep(lines):
    # ruleid: vb-py-regex-injection
    pattern = re.compile(request.args["q"])
    return [ln for ln in lines if pattern.search(ln)]

# ruleid: vb-py-redos
WORDS = re.compile(r"^(\w+\s?)*$")

# ruleid: vb-py-redos
DOTTED = re.compile(r"^(\.[\w.]+)*$")
