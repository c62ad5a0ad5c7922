import cgi
import socket
import ssl


def connect(host):
    sock = socket.create_connection((host, 443))
    # ruleid: vb-py-obsolete-tls
    return ssl.wrap_socket(sock)


def context():
    # ruleid: vb-py-obsolete-tls
    return ssl.SSLContext(ssl.PROTOCOL_TLSv1)


def page(text):
    # ruleid: vb-py-obsolete-function
    return "<p>" + cgi.escape(text) + "</p>"
