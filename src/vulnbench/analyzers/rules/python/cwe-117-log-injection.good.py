import logging

from flask import request

log = logging.getLogger(__name__)


def login():
    user = request.form["user"].replace("\n", "\\n").replace("\r", "\\r")
    # ok: vb-py-log-injection
    log.info(f"login attempt for {user}")


def _clean_for_log(value):
    return value.encode("unicode_escape").decode("ascii")


def failed_login():
    name = request.form.get("username", "")
    # ok: vb-py-log-injection
    log.warning("failed login for %s from %s", _clean_for_log(name), request.remote_addr)
    # ok: vb-py-log-injection
    log.warning("failed login for %r", name)
