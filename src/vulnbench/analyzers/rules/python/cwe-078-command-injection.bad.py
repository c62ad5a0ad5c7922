import os
import subprocess
from flask import request


def archive(path):
    # ruleid: vb-py-command-injection
    os.system(f"tar -czf backup.tgz {path}")


def view():
    # ruleid: vb-py-command-injection
    return subprocess.check_output("ping -c 1 " + request.args["host"], shell=True)
