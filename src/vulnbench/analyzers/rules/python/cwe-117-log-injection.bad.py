import logging

from flask import request

log = logging.getLogger(__name__)


def login():
    user = request.form["user"]
    # ruleid: vb-py-log-injection
    log.info(f"login attempt for {user}")


def failed_login():
    name = request.form.get("username", "")
    # ruleid: vb-py-log-injection
    log.warning("failed login for %s", name)
