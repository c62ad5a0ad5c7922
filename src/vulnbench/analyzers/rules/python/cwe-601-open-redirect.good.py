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


def is_same_site(target):
    return target.startswith("/") and not target.startswith("//")


def after_login():
    target = request.args.get("next")
    if not is_same_site(target):
        target = url_for("index")
    # ok: vb-py-open-redirect
    return redirect(target)


def after_logout(request, allowed_hosts):
    from django.http import HttpResponseRedirect
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(url=target, allowed_hosts=allowed_hosts):
        target = "/"
    # ok: vb-py-open-redirect
    return HttpResponseRedirect(target)


# --- fragments: a plain helper's parameter is not request data; a handler that checks ---
def go_home(target):
    # ok: vb-py-open-redirect
    return redirect(target)


def handle_login_callback(next_url):
    if next_url not in ("/", "/account"):
        return redirect("/")
    # ok: vb-py-open-redirect
    return redirect(next_url)


def on_error_handler(e):
    # ok: vb-py-open-redirect
    return redirect(e)


from aiohttp import web as _web  # noqa: E402


async def after_login(request):
    nxt = request.query.get("next", "/")
    if nxt not in ("/", "/home", "/account"):
        nxt = "/"
    # ok: vb-py-open-redirect
    raise _web.HTTPSeeOther(location=nxt)
