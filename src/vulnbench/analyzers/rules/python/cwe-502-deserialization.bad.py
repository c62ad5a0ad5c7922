import pickle

import yaml


def load(blob):
    # ruleid: vb-py-unsafe-deserialization
    return pickle.loads(blob)


def config(text):
    # ruleid: vb-py-yaml-load-default
    return yaml.load(text)
