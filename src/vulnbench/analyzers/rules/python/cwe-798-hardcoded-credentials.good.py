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


def mac(message):
    import hashlib
    import hmac

    # ok: vb-py-hardcoded-crypto-key
    return hmac.new(os.environ["WEBHOOK_SECRET"].encode(), message, hashlib.sha256).hexdigest()


def seal(key, data):
    from Crypto.Cipher import AES

    # ok: vb-py-hardcoded-crypto-key
    return AES.new(key, AES.MODE_GCM).encrypt_and_digest(data)


def engine():
    from sqlalchemy import create_engine

    # ok: vb-py-credential-in-url
    return create_engine(os.environ.get("DATABASE_URL", "postgresql://dev:dev-pass@localhost/app"))


# ok: vb-py-hardcoded-credential
ENCRYPTION_KEY = bytes.fromhex(os.environ["ENCRYPTION_KEY"])


def settings(env):
    # ok: vb-py-hardcoded-secret-default
    secret = os.getenv("APP_SECRET_KEY", "")
    # ok: vb-py-hardcoded-secret-default
    return secret, env.get("SMTP_PASSWORD", "changeme"), env.get("SMTP_HOST", "mail.example.com")


def parse(token):
    # ok: vb-py-hardcoded-password-compare
    return token.type == "lparen"
