import json

import yaml


def load(blob):
    # ok: vb-py-unsafe-deserialization
    return json.loads(blob)


def config(text):
    # ok: vb-py-yaml-load-default
    return yaml.safe_load(text)
