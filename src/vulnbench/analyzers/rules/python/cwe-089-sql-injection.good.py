import sqlite3

QUERIES = {"name": "SELECT * FROM products ORDER BY name"}


def find(conn, name):
    # ok: vb-py-sql-injection
    return conn.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchall()


def order(conn, column):
    query = QUERIES.get(column)
    # ok: vb-py-sql-injection
    return conn.execute(query).fetchall()
