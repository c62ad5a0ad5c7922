import jwt

# ruleid: vb-py-hardcoded-credential
DB_PASSWORD = "s3cr3t-pa55"


def login(password):
    # ruleid: vb-py-hardcoded-password-compare
    return password == "admin123"


def token(claims):
    # ruleid: vb-py-hardcoded-jwt-key
    return jwt.encode(claims, "my-signing-key", algorithm="HS256")
