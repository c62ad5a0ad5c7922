import os


def share(path):
    # ok: vb-py-permissive-mode
    os.chmod(path, 0o600)
