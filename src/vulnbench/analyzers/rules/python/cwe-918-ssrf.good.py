import requests
from flask import request


def preview():
    url = request.args.get("url")
    if not is_allowed_url(url):
        return "forbidden", 403
    # ok: vb-py-ssrf
    return requests.get(url, timeout=5).text


def is_allowed_url(url):
    return url.startswith("https://example.org/")


FEED_HOSTS = {"feeds.example.org", "news.example.com"}


def fetch_feed():
    from urllib.parse import urlparse

    url = request.json.get("feed_url", "")
    parts = urlparse(url)
    if parts.scheme != "https" or parts.hostname not in FEED_HOSTS:
        return "host not allowed", 400
    # ok: vb-py-ssrf
    return requests.get(url, timeout=5, allow_redirects=False).text


# --- fragments: a client helper's parameter is the caller's choice ---
def fetch_status(base_url):
    # ok: vb-py-ssrf
    return requests.get(base_url + "/status", timeout=5).json()
