def withdraw(account, amount):
    if amount <= 0:
        raise ValueError("amount must be positive")
    account.balance -= amount
    # ok: vb-py-assert-validation
    return account


from flask import Flask, request

app = Flask(__name__)
MAX_GIFT = 1000


@app.route("/points/gift", methods=["POST"])
def gift_points(sender, receiver):
    points = int(request.form["points"])
    if points < 1 or points > MAX_GIFT:
        return "invalid amount", 400
    # ok: vb-py-unchecked-amount
    sender.points -= points
    return "ok"
