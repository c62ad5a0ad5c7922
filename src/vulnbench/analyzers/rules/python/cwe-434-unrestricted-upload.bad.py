import os


def upload(file, folder):
    # ruleid: vb-py-upload-user-extension
    file.save(os.path.join(folder, file.filename))


def avatar(filename, data, folder, user_id):
    # ruleid: vb-py-upload-extension-from-name
    ext = filename.rsplit(".", 1)[-1].lower()
    with open(os.path.join(folder, f"{user_id}.{ext}"), "wb") as fh:
        fh.write(data)
