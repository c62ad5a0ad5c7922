from flask import request


def track(orders):
    data = request.get_json()
    # ruleid: vb-py-nosql-injection
    return orders.find_one({"order_no": data.get("order_no")})


def by_name(users, name):
    # ruleid: vb-py-nosql-where
    return users.find({"$where": f"this.name == '{name}'"})
