import requests
from flask import request


def preview():
    url = request.args.get("url")
    # ruleid: vb-py-ssrf
    return requests.get(url, timeout=5).text
