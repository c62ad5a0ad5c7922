import os


def share(path):
    # ok: vb-py-permissive-mode
    os.chmod(path, 0o600)


def marker(path):
    # ok: vb-py-permissive-mode
    path.touch(mode=0o600)
