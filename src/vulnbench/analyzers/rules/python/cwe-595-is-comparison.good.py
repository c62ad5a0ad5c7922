def is_admin(role):
    # ok: vb-py-is-literal-compare
    return role == "admin"


def missing(value, flag):
    # ok: vb-py-is-literal-compare
    return value is None or flag is True
