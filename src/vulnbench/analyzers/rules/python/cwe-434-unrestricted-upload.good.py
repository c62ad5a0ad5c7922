import os

from werkzeug.utils import secure_filename

ALLOWED = {"png", "jpg"}


def upload(file, folder):
    name = secure_filename(file.filename)
    if name.rsplit(".", 1)[-1].lower() not in ALLOWED:
        raise ValueError("type not allowed")
    # ok: vb-py-upload-user-extension
    file.save(os.path.join(folder, name))


def avatar(data, folder, user_id):
    ext = "png" if data.startswith(b"\x89PNG") else "jpg"
    # ok: vb-py-upload-extension-from-name
    with open(os.path.join(folder, f"{int(user_id)}.{ext}"), "wb") as fh:
        fh.write(data)
