import hmac

import bcrypt
from werkzeug.security import check_password_hash


def login(user, password):
    # ruleid: vb-py-unchecked-verification
    check_password_hash(user.pw_hash, password)
    return user


def api(sent, expected):
    # ruleid: vb-py-unchecked-verification
    hmac.compare_digest(sent, expected)
    return "ok"


def legacy(stored, password):
    # ruleid: vb-py-unchecked-verification
    bcrypt.checkpw(password.encode(), stored)
    return True


def edit(request, form):
    # ruleid: vb-py-unchecked-verification
    form.is_valid()
    return form.cleaned_data
