from defusedxml import ElementTree as SafeET


def titles(rss):
    # ok: vb-py-xml-entity-expansion
    root = SafeET.fromstring(rss, forbid_dtd=True)
    return [t.text for t in root.iter("title")]


def bundled_units():
    import xml.etree.ElementTree as ET
    from importlib import resources

    data = resources.files("units.data").joinpath("units.xml").read_bytes()
    # ok: vb-py-xml-entity-expansion
    root = ET.fromstring(data)
    return [u.get("name") for u in root.iter("unit")]


def import_catalog(upload):
    from lxml import etree

    # ok: vb-py-xml-entity-expansion
    for _, node in etree.iterparse(upload, tag="item"):
        yield node.findtext("sku")
