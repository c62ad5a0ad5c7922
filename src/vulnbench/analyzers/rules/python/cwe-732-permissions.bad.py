import os


def share(path):
    # ruleid: vb-py-permissive-mode
    os.chmod(path, 0o777)
