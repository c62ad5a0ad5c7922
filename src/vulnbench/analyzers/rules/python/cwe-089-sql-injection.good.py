import sqlite3

QUERIES = {"name": "SELECT * FROM products ORDER BY name"}


def find(conn, name):
    # ok: vb-py-sql-injection
    return conn.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchall()


def order(conn, column):
    query = QUERIES.get(column)
    # ok: vb-py-sql-injection
    return conn.execute(query).fetchall()


# --- fragments: a validator that checks, a bound parameter, a constant kept in self ---
import re


def validate_username(name):
    if not re.fullmatch(r"\w{1,32}", name):
        raise ValueError(name)


def get_user(cursor, name):
    validate_username(name)
    # ok: vb-py-sql-injection
    cursor.execute("SELECT * FROM users WHERE name = '%s'" % name)


def user_detail(request, username):
    # ok: vb-py-sql-injection
    return sqlite3.connect("app.db").execute("SELECT * FROM users WHERE name = ?", (username,))


class Report:
    def __init__(self, request):
        self.region = request.args["region"]
        self.table = "sales"

    def rows(self, cursor):
        # ok: vb-py-sql-injection
        return cursor.execute(f"SELECT * FROM {self.table} WHERE region = ?", (self.region,))


# --- fragments: a helper of the same file returns a constant query ---
def by_id_query():
    return "SELECT * FROM users WHERE id = ?"


def find_user(cursor, uid):
    # ok: vb-py-sql-injection
    cursor.execute(by_id_query(), (uid,))
