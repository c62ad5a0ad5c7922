import random
import string


def reset_token():
    # ruleid: vb-py-weak-random-secret
    return "".join(random.choice(string.ascii_letters) for _ in range(32))
