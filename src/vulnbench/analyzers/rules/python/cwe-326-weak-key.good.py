from Crypto.PublicKey import RSA
from cryptography.hazmat.primitives.asymmetric import ec, rsa


def make_key():
    # ok: vb-py-weak-key-size
    return rsa.generate_private_key(public_exponent=65537, key_size=3072)


def legacy_key():
    # ok: vb-py-weak-key-size
    return RSA.generate(2048)


def curve_key():
    # ok: vb-py-weak-curve
    return ec.generate_private_key(ec.SECP256R1())


def enroll(device_id, registry):
    import secrets

    # ok: vb-py-short-random-key
    key = secrets.token_hex(32)
    registry[device_id] = key
    # ok: vb-py-short-random-key
    nonce = secrets.token_bytes(12)
    return key, nonce
