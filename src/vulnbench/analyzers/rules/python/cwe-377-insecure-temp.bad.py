import tempfile


def spool(data):
    # ruleid: vb-py-insecure-tempfile
    name = tempfile.mktemp()
    with open(name, "w") as fh:
        fh.write(data)


def export_report(rows, today):
    path = "/tmp/report_%s.csv" % today
    # ruleid: vb-py-insecure-tempfile
    with open(path, "w") as fh:
        fh.writelines(rows)
    return path


def dump_state(job_id, text):
    path = f"/tmp/job-{job_id}.txt"
    # ruleid: vb-py-insecure-tempfile
    with open(path, "w") as fh:
        fh.write(text)
