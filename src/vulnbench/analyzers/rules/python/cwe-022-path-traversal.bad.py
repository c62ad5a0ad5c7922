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


from pathlib import Path as _Path  # noqa: E402

from aiohttp import web as _web  # noqa: E402

STATIC = _Path("static")


async def get_asset(request):
    asset = request.match_info["asset"]
    # ruleid: vb-py-path-traversal
    return _web.FileResponse(STATIC / asset)


EXPORTS = "/var/lib/app/exports"


def export_path(user_file):
    full = os.path.realpath(os.path.join(EXPORTS, user_file))
    # ruleid: vb-py-path-prefix-check
    if not full.startswith(EXPORTS):
        raise ValueError("outside exports")
    return full
