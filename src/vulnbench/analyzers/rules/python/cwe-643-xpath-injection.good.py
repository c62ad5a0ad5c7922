def find_author(tree, author):
    # ok: vb-py-xpath-injection
    return tree.xpath("//book[author=$name]/title/text()", name=author)
