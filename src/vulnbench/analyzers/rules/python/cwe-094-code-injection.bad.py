from flask import request


def calc(expr):
    # ruleid: vb-py-eval-injection
    return eval(expr)


def make_class(name, fields):
    src = f"class {name}:\n    fields = {fields!r}\n"
    ns = {}
    # ruleid: vb-py-code-injection
    exec(src, ns)
    return ns[name]
