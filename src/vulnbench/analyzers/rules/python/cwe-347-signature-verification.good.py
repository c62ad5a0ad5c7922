import os

import jwt


def user_from_token(token):
    # ok: vb-py-jwt-unverified
    payload = jwt.decode(token, os.environ["JWT_KEY"], algorithms=["HS256"])
    return payload["user"]


def not_expired_yet(token, key):
    # ok: vb-py-jwt-unverified
    return jwt.decode(token, key, algorithms=["RS256"], options={"verify_exp": False})
