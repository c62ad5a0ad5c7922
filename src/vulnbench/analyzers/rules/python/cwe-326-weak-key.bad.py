from Crypto.PublicKey import RSA
from cryptography.hazmat.primitives.asymmetric import ec, rsa


def make_key():
    # ruleid: vb-py-weak-key-size
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)


def legacy_key():
    # ruleid: vb-py-weak-key-size
    return RSA.generate(1024)


def curve_key():
    # ruleid: vb-py-weak-curve
    return ec.generate_private_key(ec.SECP192R1())


def enroll(device_id, registry):
    import secrets

    # ruleid: vb-py-short-random-key
    key = secrets.token_hex(6)
    registry[device_id] = key
    return key
