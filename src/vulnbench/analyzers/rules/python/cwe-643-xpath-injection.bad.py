def find_author(tree, author):
    # ruleid: vb-py-xpath-injection
    return tree.xpath(f"//book[author='{author}']/title/text()")
