from flask import redirect, request


def logout():
    # ruleid: vb-py-open-redirect
    return redirect(request.args.get("next") or "/")


def after_login():
    target = request.args.get("next")
    if not target:
        log_missing_target()
    # ruleid: vb-py-open-redirect
    return redirect(target)


def log_missing_target():
    pass


# --- fragments: handlers shown without their route ---
def handle_login_callback(next_url):
    # ruleid: vb-py-open-redirect
    return redirect(next_url)


def logout_view(request, return_to):
    # ruleid: vb-py-open-redirect
    return redirect(return_to)


from aiohttp import web as _web  # noqa: E402


async def after_login(request):
    nxt = request.query.get("next", "/")
    # ruleid: vb-py-open-redirect
    raise _web.HTTPSeeOther(location=nxt)
