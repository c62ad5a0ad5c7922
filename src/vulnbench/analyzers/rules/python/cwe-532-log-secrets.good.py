import logging

log = logging.getLogger(__name__)


def call(transport, url, headers):
    # ok: vb-py-credential-in-log
    log.debug("calling %s with %d headers", url, len(headers))
    return transport(url, headers)


def refresh(client, refresh_token, user_id):
    # ok: vb-py-credential-in-log
    logging.info(f"refreshing token for user {user_id}")
    return client.refresh(refresh_token)


def call_masked(transport, url, headers):
    safe_headers = {k: "***" if k.lower() == "authorization" else v for k, v in headers.items()}
    # ok: vb-py-credential-in-log
    log.debug("calling %s headers=%s", url, safe_headers)
    return transport(url, headers)
