"""The roundup email: rendered once per distinct view of the roundup, then personalised per recipient.

Readers allowed to see the same items (``rendering.view_signature``) get the same body, so it is rendered
and its CSS inlined once, with random markers where the personal parts go (the name and the unsubscribe
link). Each recipient's copy is then a string substitution, HTML-escaped in the HTML part. That is what
keeps sending to 20,000 members fast, and it is the same code the previews and the test email use.

Everything in it is email-safe: table layout, inline styles, absolute links, no scripts or remote images.
"""

import re
import secrets
import unicodedata
from html import unescape
from urllib.parse import urlsplit

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe
from wagtail.rich_text import expand_db_html

from communities.notifications import absolute_url, display_name
from cop_site.mail import site_domain, stable_message_id

from . import figures, rendering
from .blocks import RoundupBodyBlock
from .subscriptions import unsubscribe_token

INLINER = css_inline.CSSInliner(load_remote_stylesheets=False)
LINK_SCHEMES = {"", "http", "https", "mailto"}
_HREF = re.compile(r'href="([^"]*)"')
_LINK = re.compile(r'<a\b[^>]*?href="([^"]*)"[^>]*>(.*?)</a>', re.S)


# Names, addresses and headers

def stream_name(community):
    """What the roundup is called: the community's title, or the site's name for the site-wide one."""
    return community.title if community is not None else settings.WAGTAIL_SITE_NAME


def subject(roundup, test=False):
    """'Contact Centres roundup: October 2026', prefixed '[Test] ' for a test send."""
    return f"{'[Test] ' if test else ''}{stream_name(roundup.community)} roundup: {roundup.month_label}"


def message_id(roundup_id, user_id):
    return stable_message_id("roundup", roundup_id, "user", user_id)


def _ascii(text):
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def list_id(roundup):
    """RFC 2919 List-Id, one list per stream: '"Contact Centres roundup" <contact-centres.roundup.example.org>'.

    Kept ASCII, because the header is sent as it is.
    """
    community = roundup.community
    label = (_ascii(community.slug) or f"community-{community.pk}") if community is not None else "site"
    phrase = _ascii(f"{stream_name(community)} roundup").replace('"', "").replace("\\", "")
    return f'"{phrase}" <{label}.roundup.{site_domain()}>'


def unsubscribe_url(user, community):
    return absolute_url(reverse("roundup_unsubscribe", args=[unsubscribe_token(user, community)]))


# Content

def absolute_links(html):
    """Every link in rich text made absolute (an email has no page to be relative to); other schemes dropped."""
    def rewrite(match):
        url = unescape(match.group(1))
        try:
            scheme = urlsplit(url).scheme.lower()
        except ValueError:
            return ""
        return f'href="{escape(absolute_url(url))}"' if scheme in LINK_SCHEMES else ""

    return _HREF.sub(rewrite, html)


def html_to_text(html):
    """Rich text as plain text: paragraphs apart, list items as '- ', links as 'label (URL)'."""
    def link(match):
        label, url = unescape(strip_tags(match.group(2))).strip(), unescape(match.group(1))
        return escape(label if label == url else f"{label} ({url})")

    html = _LINK.sub(link, html)
    html = re.sub(r"<li\b[^>]*>", "\n- ", html)
    html = re.sub(r"<br\s*/?>", "\n", html)
    html = re.sub(r"</(p|h[1-6]|ul|ol|blockquote)>", "\n\n", html)
    lines = (" ".join(line.split()) for line in unescape(strip_tags(html)).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _block(entry):
    """What the templates need of one visible entry, with every link absolute."""
    if entry.type == "heading":
        return {"kind": "heading", "text": entry.text, "rule": "-" * len(entry.text)}
    if entry.type == "text":
        html = absolute_links(entry.html)
        return {"kind": "text", "html": mark_safe(html), "text": html_to_text(html)}
    return {
        "kind": "item", "label": RoundupBodyBlock.base_blocks[entry.type].meta.label, "title": entry.title,
        "url": absolute_url(entry.url), "community": entry.community_title, "line": entry.line, "replies": entry.replies,
    }


# The email

class RoundupMail:
    """One roundup's email for any number of recipients; ``test`` marks it as a draft sent for checking."""

    def __init__(self, roundup, test=False):
        self.roundup = roundup
        self.test = test
        self.entries = rendering.resolve(roundup)
        self._views = {}
        nonce = secrets.token_hex(8)
        self._slots = {"name": f"roundup-{nonce}-name", "unsubscribe": f"roundup-{nonce}-unsubscribe"}
        self._context = self._shared_context()

    def _shared_context(self):
        roundup = self.roundup
        intro = absolute_links(expand_db_html(roundup.intro)) if roundup.intro else ""
        title = f"{stream_name(roundup.community)} roundup"
        return {
            "subject": subject(roundup, self.test), "title": title, "title_rule": "=" * len(title),
            "month": roundup.month_label, "stream_name": stream_name(roundup.community),
            "site_name": settings.WAGTAIL_SITE_NAME, "site_url": absolute_url("/"),
            "intro_html": mark_safe(intro), "intro_text": html_to_text(intro),
            "figures": figures.key_figures(roundup.figures or {}),
            "web_url": absolute_url(roundup.url), "preferences_url": absolute_url(reverse("roundup_preferences")),
            "is_test": self.test, "recipient_name": self._slots["name"], "unsubscribe_url": self._slots["unsubscribe"],
        }

    def _view(self, user):
        """(HTML, text) with markers for the personal parts, rendered once per view signature."""
        signature = rendering.view_signature(self.entries, user)
        if signature not in self._views:
            context = {**self._context, "blocks": [_block(entry) for entry in rendering.visible_to(self.entries, user)]}
            self._views[signature] = (
                INLINER.inline(render_to_string("newsletters/email/roundup.html", context)),
                render_to_string("newsletters/email/roundup.txt", context),
            )
        return self._views[signature]

    def _fill(self, user, unsubscribe):
        html, text = self._view(user)
        for slot, value in ((self._slots["name"], display_name(user)), (self._slots["unsubscribe"], unsubscribe)):
            html, text = html.replace(slot, escape(value)), text.replace(slot, value)
        return html, text

    def bodies(self, user):
        """(HTML, text) exactly as this user gets them."""
        return self._fill(user, unsubscribe_url(user, self.roundup.community))

    def message(self, user, to=None, message_id=None):
        """The email for one recipient, with the list headers mail programs use for one-click unsubscribe."""
        unsubscribe = unsubscribe_url(user, self.roundup.community)
        html, text = self._fill(user, unsubscribe)
        headers = {
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": list_id(self.roundup),
            "Precedence": "bulk",
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
        }
        if message_id:
            headers["Message-ID"] = message_id
        message = EmailMultiAlternatives(
            subject=self._context["subject"], body=text, from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to or user.email], headers=headers,
        )
        message.attach_alternative(html, "text/html")
        return message


def send_test(roundup, user):
    """Email the roundup's latest draft to ``user`` alone, marked as a test. No Delivery is recorded."""
    if not user.email:
        raise ValueError("You have no email address to send the test to.")
    draft = roundup.get_latest_revision_as_object()
    return RoundupMail(draft, test=True).message(user).send()
