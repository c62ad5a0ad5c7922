def add_user(users, username, password):
    # ruleid: vb-py-cleartext-password-storage
    users[username] = {"password": password}


def remember_login(config_file, server, user, password):
    import json

    settings = {"server": server, "user": user, "password": password}
    # ruleid: vb-py-cleartext-password-write
    config_file.write_text(json.dumps(settings))


def remember_me(resp, username, password):
    import base64

    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    # ruleid: vb-py-cleartext-password-write
    resp.set_cookie("remember", token, httponly=True)


def login(logger, username, password):
    # ruleid: vb-py-cleartext-password-write
    logger.info(f"login attempt user={username} password={password}")
