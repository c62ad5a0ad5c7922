import secrets

from flask import Flask, make_response

app = Flask(__name__)


@app.route("/signin", methods=["POST"])
def signin():
    resp = make_response("ok")
    # ok: vb-py-cookie-missing-flags
    resp.set_cookie("sessionid", secrets.token_urlsafe(32), secure=True, httponly=True,
                    samesite="Lax")
    return resp


def theme(response, name):
    # ok: vb-py-cookie-missing-flags
    response.set_cookie("theme", name)
    return response


def double_submit(response):
    # ok: vb-py-cookie-missing-flags
    response.set_cookie("csrf_token", secrets.token_hex(16), secure=True, httponly=False)
    return response


def forward(response, token, cookie_options):
    # ok: vb-py-cookie-missing-flags
    response.set_cookie("auth_token", token, **cookie_options)
    return response


def keep_sid(response, sid):
    # ok: vb-py-cookie-missing-flags
    response.set_cookie("sid", sid, httponly=True, samesite="Lax")
    return response
