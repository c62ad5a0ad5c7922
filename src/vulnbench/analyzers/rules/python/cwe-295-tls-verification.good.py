import requests
import ssl


def fetch(url):
    # ok: vb-py-tls-verification-disabled
    return requests.get(url, timeout=10)


def context():
    # ok: vb-py-tls-verification-disabled
    # ok: vb-py-hostname-check-disabled
    return ssl.create_default_context()


def fetch_session(session, url, ca_bundle):
    # ok: vb-py-tls-verification-disabled
    return session.get(url, verify=ca_bundle, timeout=10)


def ssh(client):
    import paramiko

    # ok: vb-py-tls-verification-disabled
    client.set_missing_host_key_policy(paramiko.RejectPolicy())


def configure(session, ca_bundle):
    # ok: vb-py-tls-verification-disabled
    session.verify = ca_bundle or True
