from flask import make_response, request


def lang():
    resp = make_response("ok")
    value = request.args.get("lang", "").replace("\r", "").replace("\n", "")
    # ok: vb-py-header-injection
    resp.headers["Content-Language"] = value
    return resp
