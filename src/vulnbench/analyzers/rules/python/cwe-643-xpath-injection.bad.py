def find_author(tree, author):
    # ruleid: vb-py-xpath-injection
    return tree.xpath(f"//book[author='{author}']/title/text()")


def count_orders(doc, customer_id):
    expr = "/orders/order[@customer='%s']" % customer_id
    # ruleid: vb-py-xpath-injection
    return len(doc.xpath(expr))
