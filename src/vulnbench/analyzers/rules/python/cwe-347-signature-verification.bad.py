import jwt

NO_CHECK = {"verify_signature": False}


def user_from_token(token):
    # ruleid: vb-py-jwt-unverified
    payload = jwt.decode(token, options={"verify_signature": False})
    return payload["user"]


def claims_of(token, key):
    # ruleid: vb-py-jwt-unverified
    return jwt.decode(token, key, algorithms=["HS256", "none"])


def peek(token):
    opts = {"verify_signature": False, "verify_exp": True}
    # ruleid: vb-py-jwt-unverified
    return jwt.decode(token, options=opts)
