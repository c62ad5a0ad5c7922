import shlex
import subprocess


def archive(path):
    # ok: vb-py-command-injection
    subprocess.run(["tar", "-czf", "backup.tgz", path], check=True)


def quoted(path):
    # ok: vb-py-command-injection
    subprocess.run("tar -czf backup.tgz " + shlex.quote(path), shell=True, check=True)


# --- fragments: a validator defined in the file that really checks ---
import os
import re


def is_valid_host(host):
    if not re.fullmatch(r"[A-Za-z0-9.-]{1,253}", host):
        raise ValueError(host)


def ping(host):
    is_valid_host(host)
    # ok: vb-py-command-injection
    os.system("ping -c 1 " + host)


def uptime():
    cmd = "uptime"
    # ok: vb-py-command-injection
    return subprocess.run(cmd, shell=True, check=True)


class Runner:
    def sanitize_name(self, name):
        if not name.isalnum():
            raise ValueError(name)

    def archive(self, name):
        self.sanitize_name(name)
        # ok: vb-py-command-injection
        os.system("tar -czf backup.tgz " + name)
