import requests
import ssl


def fetch(url):
    # ruleid: vb-py-tls-verification-disabled
    return requests.get(url, verify=False)


def context():
    ctx = ssl.create_default_context()
    # ruleid: vb-py-hostname-check-disabled
    ctx.check_hostname = False
    return ctx


def fetch_session(session, url):
    # ruleid: vb-py-tls-verification-disabled
    return session.get(url, verify=False, timeout=10)


def ssh(client):
    import paramiko

    # ruleid: vb-py-tls-verification-disabled
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())


def configure(session, ca_bundle):
    # ruleid: vb-py-tls-verification-disabled
    session.verify = ca_bundle if ca_bundle else False
