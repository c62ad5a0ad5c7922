import os


def share(path):
    # ruleid: vb-py-permissive-mode
    os.chmod(path, 0o777)


def marker(path):
    # ruleid: vb-py-permissive-mode
    path.touch(mode=0o666)
