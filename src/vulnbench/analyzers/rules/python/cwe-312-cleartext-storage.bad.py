def add_user(users, username, password):
    # ruleid: vb-py-cleartext-password-storage
    users[username] = {"password": password}
