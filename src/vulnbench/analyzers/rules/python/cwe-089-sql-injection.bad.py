import sqlite3


def find(conn, name):
    # ruleid: vb-py-sql-injection
    return conn.execute("SELECT * FROM users WHERE name = '%s'" % name).fetchall()


def order(conn, column):
    query = f"SELECT * FROM products ORDER BY {column}"
    # ruleid: vb-py-sql-injection
    return conn.execute(query).fetchall()
