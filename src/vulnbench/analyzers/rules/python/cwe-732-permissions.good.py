import os


def share(path):
    # ok: vb-py-permissive-mode
    os.chmod(path, 0o600)


def marker(path):
    # ok: vb-py-permissive-mode
    path.touch(mode=0o600)


def publish_page(html, out_path):
    with open(out_path, "w", encoding="utf-8") as fh:
        fh.write(html)
    # ok: vb-py-permissive-mode
    os.chmod(out_path, 0o644)


def make_site_dir(path):
    # ok: vb-py-permissive-mode
    os.makedirs(path, mode=0o755, exist_ok=True)
