import hashlib

STATIC_SALT = "k9#pL2"


def hash_password(password):
    # ruleid: vb-py-fast-password-hash
    return hashlib.sha256(password.encode()).hexdigest()


def legacy(user):
    # ruleid: vb-py-fast-password-hash
    return hashlib.md5((STATIC_SALT + user.password).encode()).hexdigest()


def from_form(data):
    h = hashlib.sha512()
    # ruleid: vb-py-fast-password-hash
    h.update(data["password"].encode())
    return h.hexdigest()


def derive(pw):
    # ruleid: vb-py-constant-salt
    return hashlib.pbkdf2_hmac("sha256", pw.encode(), b"static-salt", 600000)


def derive_fast(pw, salt):
    # ruleid: vb-py-low-kdf-iterations
    return hashlib.pbkdf2_hmac("sha256", pw.encode(), salt, 1000)


def derive_var(pw, salt):
    rounds = 5000
    # ruleid: vb-py-low-kdf-iterations
    return hashlib.pbkdf2_hmac("sha256", pw.encode(), salt, rounds)
