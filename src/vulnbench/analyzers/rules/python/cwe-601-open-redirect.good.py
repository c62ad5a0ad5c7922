from flask import redirect, request, url_for


def logout():
    target = request.args.get("next") or "/"
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    # ok: vb-py-open-redirect
    return redirect(target)


def home():
    # ok: vb-py-open-redirect
    return redirect(url_for("index"))
