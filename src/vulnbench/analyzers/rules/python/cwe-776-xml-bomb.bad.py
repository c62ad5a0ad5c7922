import xml.etree.ElementTree as ET


def titles(rss):
    # ruleid: vb-py-xml-entity-expansion
    root = ET.fromstring(rss)
    return [t.text for t in root.iter("title")]
