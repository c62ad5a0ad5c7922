import requests
import ssl


def fetch(url):
    # ruleid: vb-py-tls-verification-disabled
    return requests.get(url, verify=False)


def context():
    ctx = ssl.create_default_context()
    # ruleid: vb-py-tls-verification-disabled
    ctx.check_hostname = False
    return ctx
