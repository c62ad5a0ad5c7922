import socket


def listen(port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # ruleid: vb-py-socket-reuseport
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("0.0.0.0", port))
    return sock
