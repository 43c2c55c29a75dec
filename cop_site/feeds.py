"""Feed formats for feeds made of member-written text: what a feed reader can neither run nor choke on.

Every feed on the site describes its items in plain text (a thread's starter, a deck's description, a roundup's
intro without its markup), but readers show Atom's ``<summary type="html">`` and RSS's ``<description>`` as HTML:
a description is escaped here, so ``<script>`` in a member's name or a deck's description reaches the reader as
the words typed. And XML 1.0 cannot carry most control characters, which Django refuses to write (the whole
feed failing): they are dropped from every text, whoever typed them.
"""

import re

from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape

# What XML 1.0 forbids: C0 controls other than tab, newline and carriage return, lone surrogates, U+FFFE/U+FFFF.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value):
    """``value`` without the characters XML 1.0 cannot carry; anything but a string is left as it is."""
    return _NOT_IN_XML.sub("", value) if isinstance(value, str) else value


def _escaped(description):
    return None if description is None else escape(xml_text(description))


def _cleaned(values):
    return {name: [xml_text(item) for item in value] if isinstance(value, (list, tuple)) else xml_text(value)
            for name, value in values.items()}


class PlainTextFeedMixin:
    """Feed and item texts are plain text: descriptions escaped for readers that show them as HTML."""

    def __init__(self, title, link, description, **kwargs):
        super().__init__(xml_text(title), link, _escaped(description), **_cleaned(kwargs))

    def add_item(self, title, link, description, **kwargs):
        super().add_item(xml_text(title), link, _escaped(description), **_cleaned(kwargs))


class PlainTextAtomFeed(PlainTextFeedMixin, Atom1Feed):
    pass


class PlainTextRssFeed(PlainTextFeedMixin, Rss201rev2Feed):
    pass
