import shlex
import subprocess


def archive(path):
    # ok: vb-py-command-injection
    subprocess.run(["tar", "-czf", "backup.tgz", path], check=True)


def quoted(path):
    # ok: vb-py-command-injection
    subprocess.run("tar -czf backup.tgz " + shlex.quote(path), shell=True, check=True)
