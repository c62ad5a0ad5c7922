import jwt

# ruleid: vb-py-hardcoded-credential
DB_PASSWORD = "s3cr3t-pa55"


def login(password):
    # ruleid: vb-py-hardcoded-password-compare
    return password == "admin123"


def token(claims):
    # ruleid: vb-py-hardcoded-jwt-key
    return jwt.encode(claims, "my-signing-key", algorithm="HS256")


def mac(message):
    import hashlib
    import hmac

    # ruleid: vb-py-hardcoded-crypto-key
    return hmac.new(b"webhook-shared-secret", message, hashlib.sha256).hexdigest()


def seal(data):
    from Crypto.Cipher import AES

    # ruleid: vb-py-hardcoded-crypto-key
    return AES.new(b"0123456789abcdef", AES.MODE_GCM).encrypt_and_digest(data)


def engine():
    from sqlalchemy import create_engine

    # ruleid: vb-py-credential-in-url
    return create_engine("postgresql://billing:Pr0d-Pa55@db.internal/billing")


# ruleid: vb-py-hardcoded-credential
ENCRYPTION_KEY = b"k3y-f0r-aes-256-encryption-xxxx!"


def settings(env):
    import os

    # ruleid: vb-py-hardcoded-secret-default
    secret = os.getenv("APP_SECRET_KEY", "dev-secret-9f2c")
    # ruleid: vb-py-hardcoded-secret-default
    return secret, env.get("SMTP_PASSWORD", "mailpass123")


def check_form(form):
    # ruleid: vb-py-hardcoded-password-compare
    return form.get("password") == "letmein!"
