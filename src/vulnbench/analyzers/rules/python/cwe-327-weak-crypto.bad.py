import hashlib

from Crypto.Cipher import DES


def sign(data):
    # ruleid: vb-py-weak-hash
    return hashlib.md5(data).hexdigest()


def seal(key, data):
    # ruleid: vb-py-weak-cipher
    return DES.new(key, DES.MODE_CBC).encrypt(data)
