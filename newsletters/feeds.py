from html import unescape

from django.contrib.syndication.views import Feed
from django.utils.html import strip_tags
from django.utils.text import Truncator

from cop_site.feeds import PlainTextRssFeed

from . import queries
from .emails import stream_name

INTRO_WORDS = 80


class RoundupFeed(Feed):
    """The newest public roundups: every stream, or one public community's (the view refuses every other kind).

    Built as a visitor sees it whoever asks, since feed readers cache and share what they fetch.
    """

    feed_type = PlainTextRssFeed

    def __init__(self, index):
        self.index = index

    def get_object(self, request, community=None):
        return community

    def title(self, community):
        return f"{stream_name(community)}: monthly roundups"

    def link(self, community):
        return self.index.url + (f"?community={community.slug}" if community else "")

    def description(self, community):
        what = f"the {community.title} community" if community else "every public community"
        return f"Each month's roundup of the discussions, slide decks and case studies worth reading from {what}."

    def items(self, community):
        return queries.feed_roundups(community)

    def item_title(self, roundup):
        return roundup.title

    def item_description(self, roundup):
        return Truncator(" ".join(unescape(strip_tags(roundup.intro)).split())).words(INTRO_WORDS)

    def item_link(self, roundup):
        return roundup.url

    def item_pubdate(self, roundup):
        return roundup.first_published_at

    def item_categories(self, roundup):
        return [roundup.stream_label]
