import random
import secrets


def reset_token():
    # ok: vb-py-weak-random-secret
    return secrets.token_urlsafe(32)


def shuffle_deck(cards):
    # ok: vb-py-weak-random-secret
    random.shuffle(cards)


import uuid


def new_reset_token():
    # ok: vb-py-uuid1-secret
    return uuid.uuid4().hex


def record_event(log, payload):
    # ok: vb-py-uuid1-secret
    event_id = uuid.uuid1()
    log.append((event_id, payload))
    return event_id
