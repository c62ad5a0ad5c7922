import hashlib
import hmac


def check_webhook(sent, body, key):
    expected_signature = hmac.new(key, body, hashlib.sha256).hexdigest()
    # ok: vb-py-timing-unsafe-compare
    return hmac.compare_digest(sent, expected_signature)


def has_token(token):
    # ok: vb-py-timing-unsafe-compare
    return token != "" and token is not None


def token_kind(token, other):
    # ok: vb-py-timing-unsafe-compare
    return token.kind == other.kind


def signup(password, password_confirm):
    # ok: vb-py-timing-unsafe-compare
    if password != password_confirm:
        raise ValueError("passwords do not match")


def same_file(path_a, path_b):
    digest_a = hashlib.sha256(open(path_a, "rb").read()).hexdigest()
    digest_b = hashlib.sha256(open(path_b, "rb").read()).hexdigest()
    # ok: vb-py-timing-unsafe-compare
    return digest_a == digest_b


def count(tokens, limit):
    # ok: vb-py-timing-unsafe-compare
    return len(tokens) == limit


TOKEN_NAME = "name"


def lex(token):
    # ok: vb-py-timing-unsafe-compare
    return token == TOKEN_NAME


class Credential:
    def __init__(self, token):
        self.token = token

    def __eq__(self, other):
        # ok: vb-py-timing-unsafe-compare
        return self.token == other.token


def options(verify_signature, verify):
    # ok: vb-py-timing-unsafe-compare
    return verify != verify_signature
