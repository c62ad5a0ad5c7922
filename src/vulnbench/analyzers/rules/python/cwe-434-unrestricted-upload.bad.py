import os


def upload(file, folder):
    # ruleid: vb-py-upload-user-extension
    file.save(os.path.join(folder, file.filename))


def avatar(filename, data, folder, user_id):
    # ruleid: vb-py-upload-extension-from-name
    ext = filename.rsplit(".", 1)[-1].lower()
    with open(os.path.join(folder, f"{user_id}.{ext}"), "wb") as fh:
        fh.write(data)


from flask import Flask, request
from werkzeug.utils import secure_filename

app = Flask(__name__)


@app.route("/logo", methods=["POST"])
def upload_logo():
    logo = request.files["logo"]
    name = secure_filename(logo.filename)
    # ruleid: vb-py-upload-user-extension
    logo.save(os.path.join("static/logos", name))
    return "ok"


def store_contract(request, storage):
    doc = request.FILES.get("contract")
    # ruleid: vb-py-upload-user-extension
    return storage.save(f"contracts/{request.user.pk}/{doc.name}", doc)


def store_attachment(original_name, blob, folder, allowed_file):
    # ruleid: vb-py-upload-extension-from-name
    suffix = original_name.rsplit(".", 1)[1].lower()
    if allowed_file(folder):
        with open(os.path.join(folder, f"{user_id_of(blob)}.{suffix}"), "wb") as out:
            out.write(blob)


def user_id_of(blob):
    return len(blob)
