from flask import make_response, request


def lang():
    resp = make_response("ok")
    value = request.args.get("lang", "").replace("\r", "").replace("\n", "")
    # ok: vb-py-header-injection
    resp.headers["Content-Language"] = value
    return resp


from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

THEMES = {"light", "dark"}


class ThemeHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        theme = parse_qs(urlparse(self.path).query).get("theme", ["light"])[0]
        if theme not in THEMES:
            theme = "light"
        self.send_response(204)
        # ok: vb-py-header-injection
        self.send_header("Set-Cookie", "theme=%s; Path=/" % theme)
        self.end_headers()


def attachment_headers(filename, size):
    safe = filename.replace("\r", "").replace("\n", "").replace('"', "")
    return "\r\n".join([
        "HTTP/1.1 200 OK",
        # ok: vb-py-raw-header-injection
        'Content-Disposition: attachment; filename="' + safe + '"',
        # ok: vb-py-raw-header-injection
        "Content-Length: %d" % size,
    ])


from http.server import BaseHTTPRequestHandler  # noqa: E402
from urllib.parse import parse_qs, urlsplit  # noqa: E402


class ThemeHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        qs = parse_qs(urlsplit(self.path).query)
        theme = qs.get("theme", ["light"])[0].replace("\r", "").replace("\n", "")
        self.send_response(204)
        # ok: vb-py-header-injection
        self.send_header("Set-Cookie", "theme=%s" % theme)
        self.end_headers()
