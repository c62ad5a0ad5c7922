def withdraw(account, amount):
    # ruleid: vb-py-assert-validation
    assert amount > 0, "amount must be positive"
    account.balance -= amount


from flask import Flask, request

app = Flask(__name__)


@app.route("/points/gift", methods=["POST"])
def gift_points(sender, receiver):
    points = int(request.form["points"])
    if sender.points < points:
        return "not enough points", 409
    # ruleid: vb-py-unchecked-amount
    sender.points -= points
    return "ok"
