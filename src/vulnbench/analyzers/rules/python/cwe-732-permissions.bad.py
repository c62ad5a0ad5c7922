import os


def share(path):
    # ruleid: vb-py-permissive-mode
    os.chmod(path, 0o777)


def marker(path):
    # ruleid: vb-py-permissive-mode
    path.touch(mode=0o666)


def save_private_key(pem, key_path):
    with open(key_path, "wb") as fh:
        fh.write(pem)
    # ruleid: vb-py-permissive-mode
    os.chmod(key_path, 0o644)


def publish_dir(path):
    # ruleid: vb-py-permissive-mode
    os.makedirs(path, mode=0o757, exist_ok=True)
