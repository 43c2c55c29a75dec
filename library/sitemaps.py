from django.contrib.auth.models import AnonymousUser
from django.contrib.sitemaps import Sitemap

from .queries import readable_decks


class DeckSitemap(Sitemap):
    """Decks anyone may read; case studies are pages, so Wagtail's page sitemap lists them."""

    changefreq = "monthly"

    def items(self):
        return readable_decks(AnonymousUser()).order_by("-created_at")

    def lastmod(self, deck):
        return deck.created_at
