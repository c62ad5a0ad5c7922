import hashlib
import hmac

from flask import request

API_TOKEN = "loaded-elsewhere"


def check_webhook(body, key):
    sent = request.headers.get("X-Signature", "")
    expected_signature = hmac.new(key, body, hashlib.sha256).hexdigest()
    # ruleid: vb-py-timing-unsafe-compare
    return sent == expected_signature


def check_api(provided):
    # ruleid: vb-py-timing-unsafe-compare
    if provided != API_TOKEN:
        return False
    return True


def check_hash(user, candidate):
    # ruleid: vb-py-timing-unsafe-compare
    return user.password_hash == candidate


def check_header(expected):
    # ruleid: vb-py-timing-unsafe-compare
    return request.headers.get("X-Api-Key") == expected


def check_mac(key, msg, sig):
    # ruleid: vb-py-timing-unsafe-compare
    return hmac.new(key, msg, hashlib.sha256).hexdigest() == sig
