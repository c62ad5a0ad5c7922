import logging

from flask import request

log = logging.getLogger(__name__)


def login():
    user = request.form["user"]
    # ruleid: vb-py-log-injection
    log.info(f"login attempt for {user}")
