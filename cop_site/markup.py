"""Turn member-written Markdown into HTML that is safe to put on a page.

Every piece of user text on the site (posts, replies, bios, ...) goes through
``render_markdown``. The pipeline has four steps, each there for a reason:

1. **Drop control characters.** C0 controls other than tab/newline/CR are never
   meaningful in a post, and Python-Markdown uses STX/ETX (``\\x02``/``\\x03``)
   to mark its internal placeholders, so a user must not be able to type them.

2. **Markdown, with raw HTML turned off.** Python-Markdown normally passes raw
   HTML straight through. We deregister its HTML block preprocessor and inline
   HTML pattern, so ``<b>hi</b>`` is treated as ordinary text and escaped: the
   reader sees exactly what the author typed. Extensions: ``fenced_code``,
   ``tables`` (with ``align=`` rather than ``style=`` on cells) and
   ``sane_lists``. An image (``![chart](https://...)``) becomes a link to it,
   its description the link's text: the site's Content-Security-Policy loads no
   image from another site (SECURITY.md), so an ``<img>`` would only show broken.

3. **bleach.Cleaner with an explicit allowlist.** Markdown alone is not a
   sanitizer: ``[x](javascript:alert(1))`` is valid Markdown and produces a
   ``javascript:`` link. The Cleaner re-parses the HTML like a browser would
   (html5lib), keeps only the tags and attributes below, drops ``href``/``src``
   values whose scheme is not http/https/mailto (after decoding entities and
   removing whitespace/control characters), and escapes (``strip=False``)
   anything unexpected so it shows as text rather than vanishing.

4. **Linkify + rel on every link** (a filter that runs inside the Cleaner, after
   sanitising). Bare ``https://...`` URLs in text become links; URLs in
   ``<pre>``/``<code>`` stay literal. Every ``<a>``, whether written in Markdown
   or created by linkify, gets ``rel="nofollow ugc noopener"`` (no SEO credit
   for spam, no ``window.opener``), loses any ``target``, and is turned back
   into plain text if its ``href`` is somehow not an allowed URL.

If Markdown's recursive parser overflows on absurdly deep nesting, the text is
shown escaped, as typed (still linkified and cleaned), rather than failing.

Rendered HTML is cached on rows together with ``MARKUP_VERSION``: bump it
whenever anything here changes what the output looks like.
"""

import html
import re
import threading
from functools import partial
from urllib.parse import urlsplit
from xml.etree import ElementTree

import markdown
from bleach.linkifier import LinkifyFilter, build_url_re
from bleach.sanitizer import Cleaner
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions.tables import TableExtension
from markdown.treeprocessors import Treeprocessor

MARKUP_VERSION = 2

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
        "strong", "em", "b", "i", "code", "pre", "blockquote", "del", "sup", "sub",
        "ul", "ol", "li", "a",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What browsers ignore inside a URL scheme (whitespace, controls, backticks), as bleach strips it.
_URL_JUNK = re.compile(r"[`\x00-\x20\x7f-\xa0\s]+")
_LANGUAGE_CLASS = re.compile(r"language-[A-Za-z0-9_+#.-]{1,30}")


def _url_scheme(value):
    """The scheme a browser would see in a URL attribute value, or '' if none."""
    try:
        return urlsplit(_URL_JUNK.sub("", html.unescape(value)).lower()).scheme
    except ValueError:
        return "invalid"


def _allow_attribute(tag, name, value):
    if tag == "a":
        return name in {"href", "title"}
    if tag in {"th", "td"}:
        return name == "align" and value in {"left", "center", "right"}
    if tag == "ol":
        return name == "start" and value.isdigit()
    if tag == "code":  # fenced_code's language hint, e.g. class="language-python"
        return name == "class" and _LANGUAGE_CLASS.fullmatch(value) is not None
    return False


def _set_rel(attrs, new=False):
    """Linkify callback, run on every <a>: force rel, drop target, unlink bad hrefs."""
    href = attrs.get((None, "href"))
    if href is None or _url_scheme(href) not in {"", *ALLOWED_PROTOCOLS}:
        return None  # the sanitiser removed a bad href (or it slipped past): keep the text, lose the link
    attrs.pop((None, "target"), None)
    attrs[(None, "rel")] = LINK_REL
    return attrs


class _ImagesAsLinks(Treeprocessor):
    """Each image a link to it, labelled with its description (or "image"); the sanitiser then checks the URL."""

    def run(self, root):
        for parent in list(root.iter()):
            for index, child in enumerate(parent):
                if child.tag == "img":
                    link = ElementTree.Element("a", {"href": child.get("src", "")})
                    if child.get("title"):
                        link.set("title", child.get("title"))
                    link.text = child.get("alt") or "image"
                    link.tail = child.tail
                    parent[index] = link


class _MemberMarkdown(markdown.Extension):
    """Raw HTML as text, and images as links."""

    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_ImagesAsLinks(md), "images_as_links", 5)  # after the inline patterns (20)


def _markdown_extensions():
    return [
        "fenced_code",
        "sane_lists",
        TableExtension(use_align_attribute=True),
        _MemberMarkdown(),
    ]


def _build_cleaner():
    return Cleaner(
        tags=ALLOWED_TAGS,
        attributes=_allow_attribute,
        protocols=ALLOWED_PROTOCOLS,
        strip=False,
        strip_comments=True,
        filters=[
            partial(
                LinkifyFilter,
                callbacks=[_set_rel],
                skip_tags={"pre", "code"},
                parse_email=False,
                url_re=build_url_re(protocols=["http", "https"]),
            )
        ],
    )


# bleach's Cleaner is reusable but not thread-safe (its parser keeps state), so
# each thread builds one on first use and keeps it.
_local = threading.local()


def _cleaner():
    cleaner = getattr(_local, "cleaner", None)
    if cleaner is None:
        cleaner = _local.cleaner = _build_cleaner()
    return cleaner


def render_markdown(text: str | None) -> SafeString:
    """Render member-written Markdown to sanitised HTML, marked safe for templates."""
    if not text:
        return mark_safe("")
    text = _CONTROL_CHARS.sub("", text)
    try:
        cleaned = _cleaner().clean(markdown.markdown(text, extensions=_markdown_extensions(), output_format="html"))
    except RecursionError:
        # Absurdly deep nesting (e.g. "- - - - ..." a thousand times) overflows
        # Python-Markdown's recursive parser: show the text as typed instead.
        cleaned = _cleaner().clean(f"<p>{html.escape(text, quote=False)}</p>")
    return mark_safe(cleaned.strip())  # noqa: S308 - sanitised by the allowlist above
