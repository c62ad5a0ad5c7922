import tempfile


def spool(data):
    # ruleid: vb-py-insecure-tempfile
    name = tempfile.mktemp()
    with open(name, "w") as fh:
        fh.write(data)
