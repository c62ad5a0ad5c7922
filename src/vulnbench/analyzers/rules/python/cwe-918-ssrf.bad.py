import requests
from flask import request


def preview():
    url = request.args.get("url")
    # ruleid: vb-py-ssrf
    return requests.get(url, timeout=5).text


def fetch_feed():
    from urllib.parse import urlparse

    url = request.json.get("feed_url", "")
    parts = urlparse(url)
    if parts.scheme != "https":
        return "https only", 400
    # ruleid: vb-py-ssrf
    return requests.get(url, timeout=5).text


# --- fragments: an aiohttp handler, a handler named as one ---
async def fetch_preview(request):
    target = request.query["url"]
    # ruleid: vb-py-ssrf
    return requests.get(target, timeout=5).text


def webhook_handler(callback_url):
    # ruleid: vb-py-ssrf
    requests.post(callback_url, json={"ok": True}, timeout=5)
