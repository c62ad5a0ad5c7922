import hashlib
import os


def add_user(users, username, password):
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 100_000)
    # ok: vb-py-cleartext-password-storage
    users[username] = {"salt": salt.hex(), "hash": digest.hex()}


def remember_login(config_file, server, user, password):
    import json

    import keyring

    keyring.set_password("mytool", f"{user}@{server}", password)
    # ok: vb-py-cleartext-password-write
    config_file.write_text(json.dumps({"server": server, "user": user}))


def remember_me(resp, signer, username, password):
    from werkzeug.security import generate_password_hash

    fingerprint = generate_password_hash(password)
    # ok: vb-py-cleartext-password-write
    resp.set_cookie("remember", signer.sign(f"{username}:{fingerprint}"), httponly=True)


def login(logger, username, password):
    # ok: vb-py-cleartext-password-write
    logger.info("login attempt user=%s password_length=%d", username, len(password))
