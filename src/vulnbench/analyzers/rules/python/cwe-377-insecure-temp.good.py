import tempfile


def spool(data):
    # ok: vb-py-insecure-tempfile
    with tempfile.NamedTemporaryFile("w", delete=False) as fh:
        fh.write(data)
        return fh.name
