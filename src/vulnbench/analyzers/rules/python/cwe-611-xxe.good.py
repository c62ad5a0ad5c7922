import xml.sax
from xml.sax.handler import feature_external_ges


def parse(stream, handler):
    parser = xml.sax.make_parser()
    # ok: vb-py-xxe
    parser.setFeature(feature_external_ges, False)
    parser.setContentHandler(handler)
    parser.parse(stream)


def plain_parser():
    from lxml import etree

    # ok: vb-py-xxe
    return etree.XMLParser(resolve_entities=False, no_network=True)
