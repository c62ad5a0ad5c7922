from flask import make_response, request


def lang():
    resp = make_response("ok")
    # ruleid: vb-py-header-injection
    resp.headers["Content-Language"] = request.args.get("lang")
    return resp
