def withdraw(account, amount):
    if amount <= 0:
        raise ValueError("amount must be positive")
    account.balance -= amount
    # ok: vb-py-assert-validation
    return account
