import tempfile


def spool(data):
    # ok: vb-py-insecure-tempfile
    with tempfile.NamedTemporaryFile("w", delete=False) as fh:
        fh.write(data)
        return fh.name


def dump_state(job_id, text):
    import os

    folder = tempfile.mkdtemp()
    path = f"{folder}/job-{job_id}.txt"
    # ok: vb-py-insecure-tempfile
    with open(path, "w") as fh:
        fh.write(text)
    return os.path.basename(path)
