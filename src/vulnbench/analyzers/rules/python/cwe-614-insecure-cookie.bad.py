import secrets

from flask import Flask, make_response

app = Flask(__name__)


@app.route("/signin", methods=["POST"])
def signin():
    resp = make_response("ok")
    # ruleid: vb-py-cookie-missing-flags
    resp.set_cookie("sessionid", secrets.token_urlsafe(32))
    return resp


def remember(response, token):
    # ruleid: vb-py-cookie-missing-flags
    response.set_cookie(key="auth_token", value=token, httponly=True, secure=False)
    return response


def keep_jwt(response, jwt_value):
    # ruleid: vb-py-cookie-missing-flags
    response.set_cookie("jwt", jwt_value, secure=True, samesite="Lax")
    return response
