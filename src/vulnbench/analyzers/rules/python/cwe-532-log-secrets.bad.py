import logging

log = logging.getLogger(__name__)


def call(transport, url, headers):
    # ruleid: vb-py-credential-in-log
    log.debug("calling %s headers=%s", url, headers)
    return transport(url, headers)


def refresh(client, refresh_token):
    # ruleid: vb-py-credential-in-log
    logging.info(f"refreshing with {refresh_token}")
    return client.refresh(refresh_token)
