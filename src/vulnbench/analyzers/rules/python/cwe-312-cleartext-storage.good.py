import hashlib
import os


def add_user(users, username, password):
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 100_000)
    # ok: vb-py-cleartext-password-storage
    users[username] = {"salt": salt.hex(), "hash": digest.hex()}
