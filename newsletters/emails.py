"""The roundup email: rendered once per distinct view of the roundup, then personalised per recipient.

Readers allowed to see the same items (``rendering.view_signature``) get the same body, so it is rendered
and its CSS inlined once, with random markers where the personal parts go (the name and the unsubscribe
link). Each recipient's copy is then a string substitution, HTML-escaped in the HTML part; and the MIME
message is flattened to bytes once per view too (``PreparedMIME``), so each copy's bytes are a substitution
as well. That is what keeps sending to 20,000 members fast, and it is the same code the previews and the
test email use.

Everything in it is email-safe: table layout, inline styles, absolute links, no scripts or remote images.
"""

import re
import secrets
import unicodedata
from email import message_from_bytes
from email import policy as email_policy
from html import unescape
from urllib.parse import urlsplit

import css_inline
from django.conf import settings
from django.core.mail import DNS_NAME, EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import cached_property
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
        self._prepared_views = {}
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

    def _view(self, signature, user):
        """(HTML, text) with markers for the personal parts, rendered once per view signature."""
        if signature not in self._views:
            context = {**self._context, "blocks": [_block(entry) for entry in rendering.visible_to(self.entries, user)]}
            self._views[signature] = (
                INLINER.inline(render_to_string("newsletters/email/roundup.html", context)),
                render_to_string("newsletters/email/roundup.txt", context),
            )
        return self._views[signature]

    def _fill(self, view, user, unsubscribe):
        html, text = view
        for slot, value in ((self._slots["name"], display_name(user)), (self._slots["unsubscribe"], unsubscribe)):
            html, text = html.replace(slot, escape(value)), text.replace(slot, value)
        return html, text

    def bodies(self, user):
        """(HTML, text) exactly as this user gets them."""
        view = self._view(rendering.view_signature(self.entries, user), user)
        return self._fill(view, user, unsubscribe_url(user, self.roundup.community))

    def _headers(self, unsubscribe, message_id):
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
        return headers

    def _email(self, html, text, to, headers, email_class=EmailMultiAlternatives, **kwargs):
        message = email_class(subject=self._context["subject"], body=text, from_email=settings.DEFAULT_FROM_EMAIL,
                              to=[to], headers=headers, **kwargs)
        message.attach_alternative(html, "text/html")
        return message

    def _prepared(self, signature, view):
        """The MIME bytes of this user's view with markers for each recipient's parts, made once per view.

        None when bytes can't simply be substituted: a part quoted-printable encoded (a line over 998
        bytes), which a substituted value would have to be encoded for.
        """
        if signature not in self._prepared_views:
            self._prepared_views[signature] = PreparedMIME.make(self, *view)
        return self._prepared_views[signature]

    def message(self, user, to=None, message_id=None):
        """The email for one recipient, with the list headers mail programs use for one-click unsubscribe."""
        to = to or user.email
        unsubscribe = unsubscribe_url(user, self.roundup.community)
        signature = rendering.view_signature(self.entries, user)
        view = self._view(signature, user)
        html, text = self._fill(view, user, unsubscribe)
        headers = self._headers(unsubscribe, message_id)
        prepared = self._prepared(signature, view)
        if prepared is None or not prepared.fits(to, unsubscribe):
            return self._email(html, text, to, headers)
        raw = prepared.fill(to=to, unsubscribe=unsubscribe, name=display_name(user),
                            message_id=message_id or make_msgid(domain=DNS_NAME))
        return self._email(html, text, to, headers, email_class=PreparedEmail, raw=raw)


class PreparedEmail(EmailMultiAlternatives):
    """An email whose MIME form is already made (``raw``, CRLF line ends): its attributes say the same thing."""

    def __init__(self, *args, raw, **kwargs):
        super().__init__(*args, **kwargs)
        self.raw = raw

    def message(self):
        return PreparedMessage(self.raw)


class PreparedMessage:
    """What mail backends use of a MIME message (``as_bytes``), for bytes already made; the rest parsed on demand."""

    def __init__(self, raw):
        self.raw = raw

    def as_bytes(self, unixfrom=False, linesep="\n"):
        return self.raw if linesep == "\r\n" else self.raw.replace(b"\r\n", linesep.encode())

    @cached_property
    def parsed(self):
        return message_from_bytes(self.raw, policy=email_policy.default)

    def __getattr__(self, name):
        return getattr(self.parsed, name)

    def __getitem__(self, name):
        return self.parsed[name]


class PreparedMIME:
    """One view of a roundup flattened to MIME bytes once, with a marker wherever a recipient's own part goes.

    Django builds and flattens a MIME message per email; for a roundup going to thousands that is most of
    the sending time. Here it is done once per view, and each recipient's copy is a few byte substitutions:
    the same bytes the per-email way gives, apart from the multipart boundary and the Date.
    """

    def __init__(self, raw, markers):
        self.raw, self.markers = raw, markers

    @classmethod
    def make(cls, mail, html, text):
        nonce = secrets.token_hex(8)
        markers = {
            "to": f"{nonce}-to@invalid",
            "message_id": f"<{nonce}-message-id@invalid>",
            # As long as a real link, so the header is folded the same way (its own line after the name).
            "unsubscribe_header": f"{nonce}-unsubscribe-header-".ljust(80, "x"),
            "unsubscribe_html": f"{nonce}-unsubscribe-html", "unsubscribe_text": f"{nonce}-unsubscribe-text",
            "name_html": f"{nonce}-name-html", "name_text": f"{nonce}-name-text",
        }
        for slot in ("name", "unsubscribe"):
            html = html.replace(mail._slots[slot], markers[f"{slot}_html"])
            text = text.replace(mail._slots[slot], markers[f"{slot}_text"])
        headers = mail._headers(markers["unsubscribe_header"], markers["message_id"])
        mime = mail._email(html, text, markers["to"], headers).message()
        if any(part["Content-Transfer-Encoding"] not in ("7bit", "8bit") for part in mime.get_payload()):
            return None
        # A part that is all ASCII is labelled 7bit; a name put into it may not be.
        raw = mime.as_bytes(linesep="\r\n").replace(b"Content-Transfer-Encoding: 7bit", b"Content-Transfer-Encoding: 8bit")
        return cls(raw, {key: marker.encode() for key, marker in markers.items()})

    @staticmethod
    def fits(to, unsubscribe):
        """Whether the address and link go into headers as they are (an international address needs encoding)."""
        return to.isascii() and unsubscribe.isascii()

    def fill(self, *, to, unsubscribe, name, message_id):
        values = {
            "to": to, "message_id": message_id, "unsubscribe_header": unsubscribe,
            "unsubscribe_html": escape(unsubscribe), "unsubscribe_text": unsubscribe,
            "name_html": escape(name), "name_text": name,
        }
        raw = self.raw
        for key, value in values.items():
            raw = raw.replace(self.markers[key], value.encode())
        return raw


def send_test(roundup, user):
    """Email the roundup's latest draft to ``user`` alone, marked as a test. No Delivery is recorded."""
    if not user.email:
        raise ValueError("You have no email address to send the test to.")
    draft = roundup.get_latest_revision_as_object()
    return RoundupMail(draft, test=True).message(user).send()
