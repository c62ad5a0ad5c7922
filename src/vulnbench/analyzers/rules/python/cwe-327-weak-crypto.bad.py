import hashlib

from Crypto.Cipher import DES


def sign(data):
    # ruleid: vb-py-weak-hash
    return hashlib.md5(data).hexdigest()


def seal(key, data):
    # ruleid: vb-py-weak-cipher
    return DES.new(key, DES.MODE_CBC).encrypt(data)


def seal_ecb(key, data):
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    # ruleid: vb-py-weak-cipher
    return Cipher(algorithms.AES(key), modes.ECB()).encryptor().update(data)


def seal_aes_ecb(key, data):
    from Crypto.Cipher import AES

    # ruleid: vb-py-weak-cipher
    return AES.new(key, AES.MODE_ECB).encrypt(data)
