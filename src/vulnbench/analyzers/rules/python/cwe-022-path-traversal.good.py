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
