def withdraw(account, amount):
    # ruleid: vb-py-assert-validation
    assert amount > 0, "amount must be positive"
    account.balance -= amount
