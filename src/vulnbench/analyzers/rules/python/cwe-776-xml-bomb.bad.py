import xml.etree.ElementTree as ET


def titles(rss):
    # ruleid: vb-py-xml-entity-expansion
    root = ET.fromstring(rss)
    return [t.text for t in root.iter("title")]


def import_catalog(upload):
    from lxml import etree

    # ruleid: vb-py-xml-entity-expansion
    for _, node in etree.iterparse(upload, tag="item", huge_tree=True):
        yield node.findtext("sku")


def parse_user_feed(feed_bytes):
    from importlib import resources

    schema = resources.files("feeds").joinpath("schema.xml").read_bytes()
    # ruleid: vb-py-xml-entity-expansion
    return ET.fromstring(feed_bytes), schema
