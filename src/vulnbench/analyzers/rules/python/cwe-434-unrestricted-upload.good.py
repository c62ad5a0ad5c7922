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


import uuid
import zipfile

from flask import Flask, request

app = Flask(__name__)
KINDS = {"PNG": "png", "JPEG": "jpg"}


@app.route("/logo", methods=["POST"])
def upload_logo(detect_image_kind):
    logo = request.files["logo"]
    kind = KINDS.get(detect_image_kind(logo.stream))
    if kind is None:
        return "unsupported image", 415
    # ok: vb-py-upload-user-extension
    logo.save(os.path.join("static/logos", f"{uuid.uuid4().hex}.{kind}"))
    return "ok"


def unpack_theme(archive, dest):
    with zipfile.ZipFile(archive) as zf:
        for member in zf.infolist():
            target = os.path.join(dest, os.path.basename(member.filename))
            # ok: vb-py-upload-user-extension
            with open(target, "wb") as out:
                out.write(zf.read(member))


def store_attachment(original_name, blob, folder, allowed_file):
    if not original_name or not allowed_file(original_name):
        raise ValueError("file type not allowed")
    # ok: vb-py-upload-extension-from-name
    suffix = original_name.rsplit(".", 1)[1].lower()
    with open(os.path.join(folder, f"{uuid.uuid4().hex}.{suffix}"), "wb") as out:
        out.write(blob)
