from defusedxml import ElementTree as SafeET


def titles(rss):
    # ok: vb-py-xml-entity-expansion
    root = SafeET.fromstring(rss, forbid_dtd=True)
    return [t.text for t in root.iter("title")]
