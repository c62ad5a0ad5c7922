import ldap
from ldap.filter import escape_filter_chars


def lookup(conn, user):
    flt = "(uid=%s)" % escape_filter_chars(user)
    # ok: vb-py-ldap-injection
    return conn.search_s("dc=example,dc=org", ldap.SCOPE_SUBTREE, flt)
