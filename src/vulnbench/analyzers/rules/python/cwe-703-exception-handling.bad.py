import jwt


def admin_action(token, key):
    # ruleid: vb-py-fail-open-verification
    try:
        jwt.decode(token, key, algorithms=["HS256"])
    except Exception:
        pass
    return "done"


def check(signer, data, signature):
    # ruleid: vb-py-fail-open-verification
    try:
        signer.verify(signature, data)
    except:
        return True
    return True


def delete(user, record):
    # ruleid: vb-py-assert-authorization
    assert user.is_admin, "admins only"
    record.delete()
