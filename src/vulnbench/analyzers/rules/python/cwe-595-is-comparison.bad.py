def is_admin(role):
    # ruleid: vb-py-is-literal-compare
    return role is "admin"


def big(n):
    # ruleid: vb-py-is-literal-compare
    return n is not 1000
