import sqlite3


def find(conn, name):
    # ruleid: vb-py-sql-injection
    return conn.execute("SELECT * FROM users WHERE name = '%s'" % name).fetchall()


def order(conn, column):
    query = f"SELECT * FROM products ORDER BY {column}"
    # ruleid: vb-py-sql-injection
    return conn.execute(query).fetchall()


# --- fragments: a stub validator, a view's URL parameter, a query kept in self ---
def validate_username(name):
    """Validate the user name."""
    pass


def get_user(cursor, name):
    validate_username(name)
    # ruleid: vb-py-sql-injection
    cursor.execute("SELECT * FROM users WHERE name = '%s'" % name)


def user_detail(request, username):
    # ruleid: vb-py-sql-injection
    return sqlite3.connect("app.db").execute("SELECT * FROM users WHERE name = '" + username + "'")


class Report:
    def __init__(self, request):
        self.where = "region = '" + request.args["region"] + "'"

    def rows(self, cursor):
        # ruleid: vb-py-sql-injection
        return cursor.execute(self.where).fetchall()


class Lookup:
    def __init__(self, table):
        self.table = table

    def count(self, cursor):
        # ruleid: vb-py-sql-injection
        return cursor.execute(f"SELECT COUNT(*) FROM {self.table}").fetchone()


# --- fragments: a helper of the same file splices the query together ---
def build_query(name):
    return f"SELECT * FROM users WHERE name = '{name}'"


def find_user(cursor, name):
    q = build_query(name)
    # ruleid: vb-py-sql-injection
    cursor.execute(q)


def remove_user(cursor, name):
    # ruleid: vb-py-sql-injection
    cursor.execute(make_delete(name))


def make_delete(name):
    sql = "DELETE FROM users WHERE name = '%s'" % name
    return sql
