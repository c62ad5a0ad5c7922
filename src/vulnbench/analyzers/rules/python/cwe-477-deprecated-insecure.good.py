import html
import socket
import ssl


def connect(host):
    sock = socket.create_connection((host, 443))
    # ok: vb-py-obsolete-tls
    return ssl.create_default_context().wrap_socket(sock, server_hostname=host)


def context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    # ok: vb-py-obsolete-tls
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def page(text):
    # ok: vb-py-obsolete-function
    return "<p>" + html.escape(text) + "</p>"
