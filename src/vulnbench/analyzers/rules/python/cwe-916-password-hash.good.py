import hashlib
import os

import bcrypt


def hash_password(password):
    # ok: vb-py-fast-password-hash
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt())


def cache_key(url):
    # ok: vb-py-fast-password-hash
    return hashlib.sha256(url.encode()).hexdigest()


def api_key_digest(api_key):
    # ok: vb-py-fast-password-hash
    return hashlib.sha256(api_key.encode()).hexdigest()


def derive(pw):
    salt = os.urandom(16)
    # ok: vb-py-constant-salt
    return salt, hashlib.pbkdf2_hmac("sha256", pw.encode(), salt, 600000)


def derive_named(pw, salt):
    # ok: vb-py-low-kdf-iterations
    return hashlib.pbkdf2_hmac("sha256", pw.encode(), salt, iterations=310000)


def derive_var(pw, salt, rounds):
    # ok: vb-py-low-kdf-iterations
    return hashlib.pbkdf2_hmac("sha256", pw.encode(), salt, rounds)
