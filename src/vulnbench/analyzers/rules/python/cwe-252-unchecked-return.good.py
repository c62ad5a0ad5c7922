import hmac

import bcrypt
from werkzeug.security import check_password_hash


def login(user, password):
    # ok: vb-py-unchecked-verification
    if not check_password_hash(user.pw_hash, password):
        return None
    return user


def api(sent, expected):
    # ok: vb-py-unchecked-verification
    return hmac.compare_digest(sent, expected)


def legacy(stored, password):
    # ok: vb-py-unchecked-verification
    ok = bcrypt.checkpw(password.encode(), stored)
    return ok


def edit(request, form):
    # ok: vb-py-unchecked-verification
    if form.is_valid():
        return form.cleaned_data
    return None
