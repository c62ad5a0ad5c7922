import ldap


def lookup(conn, user):
    # ruleid: vb-py-ldap-injection
    return conn.search_s("dc=example,dc=org", ldap.SCOPE_SUBTREE, f"(uid={user})")
