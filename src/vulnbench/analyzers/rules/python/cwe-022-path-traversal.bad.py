import os
from flask import request


def read_log(base, name):
    path = os.path.join(base, name)
    # ruleid: vb-py-path-traversal
    with open(path) as fh:
        return fh.read()


def download():
    # ruleid: vb-py-path-traversal
    return open("/srv/files/" + request.args["f"], "rb").read()


def read_from_spool(name_from_env=None):
    import os

    name = os.environ.get("SPOOL_FILE", "")
    # ruleid: vb-py-path-traversal
    with open(os.path.join("/var/spool/app", name)) as fh:
        return fh.read()
