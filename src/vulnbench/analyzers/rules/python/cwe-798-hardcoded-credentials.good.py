import os

import jwt

# ok: vb-py-hardcoded-credential
DB_PASSWORD = os.environ["DB_PASSWORD"]


def login(password, expected):
    # ok: vb-py-hardcoded-password-compare
    return password == expected


def token(claims):
    # ok: vb-py-hardcoded-jwt-key
    return jwt.encode(claims, os.environ["JWT_KEY"], algorithm="HS256")
