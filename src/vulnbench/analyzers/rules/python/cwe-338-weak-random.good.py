import random
import secrets


def reset_token():
    # ok: vb-py-weak-random-secret
    return secrets.token_urlsafe(32)


def shuffle_deck(cards):
    # ok: vb-py-weak-random-secret
    random.shuffle(cards)
