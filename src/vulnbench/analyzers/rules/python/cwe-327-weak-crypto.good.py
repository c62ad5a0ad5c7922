import hashlib

from Crypto.Cipher import AES


def sign(data):
    # ok: vb-py-weak-hash
    return hashlib.sha256(data).hexdigest()


def etag(data):
    # ok: vb-py-weak-hash
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def seal(key, data):
    # ok: vb-py-weak-cipher
    return AES.new(key, AES.MODE_GCM).encrypt(data)


def seal_ctr(key, nonce, data):
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    # ok: vb-py-weak-cipher
    return Cipher(algorithms.AES(key), modes.CTR(nonce)).encryptor().update(data)
