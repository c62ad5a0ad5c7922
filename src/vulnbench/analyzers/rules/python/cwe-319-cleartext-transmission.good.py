import ftplib
import os
import smtplib

import requests


def upload(path):
    ftp = ftplib.FTP_TLS("files.example.com")
    # ok: vb-py-cleartext-protocol
    ftp.login(os.environ["FTP_USER"], os.environ["FTP_PASSWORD"])
    ftp.prot_p()


def mail(msg, user, password):
    # ok: vb-py-cleartext-protocol
    with smtplib.SMTP("smtp.example.com", 587) as smtp:
        smtp.starttls()
        smtp.login(user, password)
        smtp.send_message(msg)


def fetch(user, password):
    # ok: vb-py-credentials-over-http
    return requests.get("https://api.example.com/v1/items", auth=(user, password), timeout=10)


def local(user, password):
    # ok: vb-py-credentials-over-http
    return requests.post("http://localhost:8000/login", data={"password": password}, timeout=5)


# ok: vb-py-credentials-over-http
DOCS_URL = "http://docs.example.com/page?lang=en"
