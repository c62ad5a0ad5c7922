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
