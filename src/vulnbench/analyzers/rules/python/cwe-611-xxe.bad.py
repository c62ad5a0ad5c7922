import xml.sax
from xml.sax.handler import feature_external_ges


def parse(stream, handler):
    parser = xml.sax.make_parser()
    # ruleid: vb-py-xxe
    parser.setFeature(feature_external_ges, True)
    parser.setContentHandler(handler)
    parser.parse(stream)


def dtd_parser():
    from lxml import etree

    # ruleid: vb-py-xxe
    return etree.XMLParser(dtd_validation=True)
