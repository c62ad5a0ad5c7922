import ftplib
import os
import smtplib
import telnetlib

import requests


def upload(path):
    # ruleid: vb-py-cleartext-protocol
    ftp = ftplib.FTP("files.example.com")
    ftp.login(os.environ["FTP_USER"], os.environ["FTP_PASSWORD"])
    with open(path, "rb") as fh:
        ftp.storbinary("STOR report.csv", fh)


def reboot(host, password):
    # ruleid: vb-py-cleartext-protocol
    tn = telnetlib.Telnet(host)
    tn.write(password.encode() + b"\n")


def mail(msg, user, password):
    # ruleid: vb-py-cleartext-protocol
    with smtplib.SMTP("smtp.example.com", 587) as smtp:
        smtp.login(user, password)
        smtp.send_message(msg)


def fetch(user, password):
    # ruleid: vb-py-credentials-over-http
    return requests.get("http://api.example.com/v1/items", auth=(user, password), timeout=10)


# ruleid: vb-py-credentials-over-http
STATUS_URL = "http://status.example.com/check?token=abc123"
