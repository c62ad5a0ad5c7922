import os
import subprocess
from flask import request


def archive(path):
    # ruleid: vb-py-command-injection
    os.system(f"tar -czf backup.tgz {path}")


def view():
    # ruleid: vb-py-command-injection
    return subprocess.check_output("ping -c 1 " + request.args["host"], shell=True)


# --- fragments: the caller is not shown ---
def run_backup(cmd):
    # ruleid: vb-py-command-injection
    return subprocess.run(cmd, shell=True, check=True)


def is_valid_host(host):
    pass  # TODO: validate


def check_host(host):
    """Make sure the host name is safe."""
    return True


def ping(host):
    is_valid_host(host)
    # ruleid: vb-py-command-injection
    os.system("ping -c 1 " + host)


def traceroute(host):
    if not check_host(host):
        raise ValueError(host)
    # ruleid: vb-py-command-injection
    os.system("traceroute " + host)


def lookup(host):
    validate_later(host)
    # ruleid: vb-py-command-injection
    os.popen("nslookup " + host)


def validate_later(host):
    return host


class Runner:
    def sanitize_name(self, name):
        return None

    def archive(self, name):
        self.sanitize_name(name)
        # ruleid: vb-py-command-injection
        os.system("tar -czf backup.tgz " + name)
