import random
import string


def reset_token():
    # ruleid: vb-py-weak-random-secret
    return "".join(random.choice(string.ascii_letters) for _ in range(32))


import uuid


def new_reset_token():
    # ruleid: vb-py-uuid1-secret
    return uuid.uuid1().hex


def create_api_key(store, owner):
    # ruleid: vb-py-uuid1-secret
    api_key = str(uuid.uuid1())
    store[api_key] = owner
    return api_key
