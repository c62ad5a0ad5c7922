from flask import request


def track(orders):
    data = request.get_json()
    # ok: vb-py-nosql-injection
    return orders.find_one({"order_no": str(data.get("order_no"))})


def by_name(users, name):
    # ok: vb-py-nosql-where
    return users.find({"name": name})
