import ast


def calc(expr):
    # ok: vb-py-eval-injection
    return ast.literal_eval(expr)


def constant():
    # ok: vb-py-code-injection
    exec("x = 1", {})
