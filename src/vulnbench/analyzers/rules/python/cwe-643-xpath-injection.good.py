def find_author(tree, author):
    # ok: vb-py-xpath-injection
    return tree.xpath("//book[author=$name]/title/text()", name=author)


def count_orders(doc, customer_id):
    # ok: vb-py-xpath-injection
    return len(doc.xpath("/orders/order[@customer=$c]", c=customer_id))
