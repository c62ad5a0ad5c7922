import jwt


def admin_action(token, key):
    # ok: vb-py-fail-open-verification
    try:
        jwt.decode(token, key, algorithms=["HS256"])
    except jwt.InvalidTokenError:
        return "denied"
    return "done"


def load(path):
    # ok: vb-py-fail-open-verification
    try:
        open(path).close()
    except OSError:
        pass


def delete(user, record):
    # ok: vb-py-assert-authorization
    if not user.is_admin:
        raise PermissionError("admins only")
    record.delete()


def test_admin(user):
    # ok: vb-py-assert-authorization
    assert user.is_admin
