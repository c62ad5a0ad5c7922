import requests
import ssl


def fetch(url):
    # ok: vb-py-tls-verification-disabled
    return requests.get(url, timeout=10)


def context():
    # ok: vb-py-tls-verification-disabled
    return ssl.create_default_context()
