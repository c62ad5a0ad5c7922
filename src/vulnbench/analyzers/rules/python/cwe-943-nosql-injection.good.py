from flask import request


def track(orders):
    data = request.get_json()
    # ok: vb-py-nosql-injection
    return orders.find_one({"order_no": str(data.get("order_no"))})


def by_name(users, name):
    # ok: vb-py-nosql-where
    return users.find({"name": name})


def track_checked(orders):
    data = request.get_json()
    order_no = data.get("order_no")
    if not isinstance(order_no, str):
        return None
    # ok: vb-py-nosql-injection
    return orders.find_one({"order_no": order_no})
