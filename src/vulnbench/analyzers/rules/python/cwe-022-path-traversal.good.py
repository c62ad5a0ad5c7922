import os


def read_log(base, name):
    path = os.path.join(base, os.path.basename(name))
    # ok: vb-py-path-traversal
    with open(path) as fh:
        return fh.read()


def read_confined(base, name):
    path = os.path.realpath(os.path.join(base, name))
    if os.path.commonpath([base, path]) != base:
        raise PermissionError(name)
    # ok: vb-py-path-traversal
    return open(path).read()


def load_settings(path=None):
    path = path or os.environ.get("APP_SETTINGS", "/etc/app/settings.ini")
    # ok: vb-py-path-traversal
    with open(path, encoding="utf-8") as fh:
        return fh.read()


from pathlib import Path as _Path  # noqa: E402

from aiohttp import web as _web  # noqa: E402

STATIC = _Path("static")


async def get_asset(request):
    asset = os.path.basename(request.match_info["asset"])
    # ok: vb-py-path-traversal
    return _web.FileResponse(STATIC / asset)


EXPORTS = "/var/lib/app/exports"


def export_path(user_file):
    full = os.path.realpath(os.path.join(EXPORTS, user_file))
    # ok: vb-py-path-prefix-check
    if not full.startswith(EXPORTS + os.sep):
        raise ValueError("outside exports")
    return full


def confined(root, rel):
    target = os.path.realpath(os.path.join(root, rel))
    if os.path.commonpath([target, os.path.realpath(root)]) != os.path.realpath(root):
        raise PermissionError(rel)
    return target


def read_export(request):
    rel = request.args.get("f", "")
    # ok: vb-py-path-traversal
    with open(confined("/var/lib/app/exports", rel)) as fh:
        return fh.read()
