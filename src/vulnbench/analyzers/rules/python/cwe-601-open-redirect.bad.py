from flask import redirect, request


def logout():
    # ruleid: vb-py-open-redirect
    return redirect(request.args.get("next") or "/")
