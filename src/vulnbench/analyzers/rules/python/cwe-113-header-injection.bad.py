from flask import make_response, request


def lang():
    resp = make_response("ok")
    # ruleid: vb-py-header-injection
    resp.headers["Content-Language"] = request.args.get("lang")
    return resp


from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse


class ThemeHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        theme = parse_qs(urlparse(self.path).query).get("theme", ["light"])[0]
        self.send_response(204)
        # ruleid: vb-py-header-injection
        self.send_header("Set-Cookie", "theme=%s; Path=/" % theme)
        self.end_headers()


def attachment_headers(filename, size):
    return "\r\n".join([
        "HTTP/1.1 200 OK",
        # ruleid: vb-py-raw-header-injection
        "Content-Disposition: attachment; filename=" + filename,
        "Content-Length: %d" % size,
    ])


from http.server import BaseHTTPRequestHandler  # noqa: E402
from urllib.parse import parse_qs, urlsplit  # noqa: E402


class ThemeHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        qs = parse_qs(urlsplit(self.path).query)
        theme = qs.get("theme", ["light"])[0]
        self.send_response(204)
        # ruleid: vb-py-header-injection
        self.send_header("Set-Cookie", "theme=%s" % theme)
        self.end_headers()
