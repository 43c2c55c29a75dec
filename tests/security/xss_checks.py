"""Did user text reach a page, a feed, a JSON answer or an email only as text? One checker for all of them.

``tests/cop_site/xss_vectors.assert_html_is_safe`` judges a fragment made from user text alone. Here the whole
response is judged, with the site's own markup in it (its scripts, forms, htmx attributes, the emails' inline
styles), so the rules say what the site itself never does:

- no ``<script>`` but the site's own (a same-origin ``src`` and nothing inside, or ``json_script`` data);
- no ``on*`` handler and no htmx handler (``hx-on``, ``js:`` values) on any element;
- no ``javascript:``, ``vbscript:``, ``data:`` or other non-web URL in any URL-bearing attribute, htmx's included;
- no element that embeds or redirects (iframe, object, embed, base, meta refresh, ...), nothing scripted inside
  an ``<svg>``, no ``style`` attribute on a site page (the Content-Security-Policy forbids them; emails have
  their own, checked for script-like values instead);
- nothing of the vector itself as markup: no element carrying the attributes the vector wrote, and the vector's
  raw tags nowhere in the document as written.

Each HTML document is parsed twice, by Python's parser and by libxml2 (lxml), so a parser quirk cannot hide
an element the other would see. Every ``*_problems`` function returns a list of sentences, empty when all is
well, so a test can gather every page's problems before it fails. ``vectors`` is one vector, or a mapping of
names to vectors when one page shows many; content planted with a ``token_for`` word lets a problem on such a
page name the content it sits in. Wagtail's admin has markup of its own these rules would not allow
(``own_markup=False`` keeps to what the vectors wrote).
"""

import json
import re
import warnings
from collections import defaultdict
from functools import lru_cache
from email import message_from_string
from email.policy import default as default_policy

import defusedxml.ElementTree as SafeXML
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning

from tests.cop_site.xss_vectors import SAFE_SCHEMES, URL_ATTRIBUTES, url_scheme

PARSERS = ("html.parser", "lxml")

NEVER_ON_A_PAGE = frozenset({
    "iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal", "isindex", "xmp", "plaintext",
    "math", "style", "noembed", "noframes",
})
SCRIPTED_IN_SVG = frozenset({"script", "foreignobject", "a", "animate", "animatetransform", "set", "use", "handler"})
HTMX_URL_ATTRIBUTES = frozenset({"hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete", "hx-push-url", "hx-replace-url"})
ALL_URL_ATTRIBUTES = URL_ATTRIBUTES | HTMX_URL_ATTRIBUTES
LINK_RELS = frozenset({"stylesheet", "icon", "alternate", "canonical", "preload", "apple-touch-icon"})
SCRIPT_LIKE_STYLE = re.compile(r"expression\s*\(|javascript:|behaviou?r\s*:|-moz-binding|url\s*\(", re.I)
# Markdown makes these from ordinary links and images, so matching them says nothing about an injection.
ORDINARY = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}
_RAW_TAG = re.compile(r"<[a-zA-Z][^<>]*>")
TOKEN = re.compile(r"\bxv\d{3}\b")


def token_for(index):
    """A word found nowhere else, planted beside a vector so search finds it and problems can name it."""
    return f"xv{index:03d}"


def soup(markup, parser):
    """``markup`` parsed; a vector that looks like a URL or like XML is still parsed as HTML, without a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(markup, parser)


def _attributes(element):
    for name, value in element.attrs.items():
        yield name.lower(), " ".join(value) if isinstance(value, list) else str(value)


def _describe(element):
    text = str(element)
    return text if len(text) <= 160 else text[:157] + "..."


def _script_problem(element):
    if (element.get("type") or "").lower() == "application/json":
        return None  # json_script's data: <, > and & are escaped as \u003C..., so it cannot close the element
    src = element.get("src") or ""
    if src and url_scheme(src) is None and not src.startswith("//") and not element.get_text().strip():
        return None
    return f"a <script> the site did not write: {_describe(element)}"


def element_problems(element, email=False):
    """What is wrong with one element, whoever wrote it."""
    name = element.name.lower()
    if name in NEVER_ON_A_PAGE and not (email and name == "style"):
        yield f"<{name}> element: {_describe(element)}"
    if name == "script" and (problem := _script_problem(element)):
        yield problem
    if name == "meta" and element.get("http-equiv") and element["http-equiv"].lower() != "content-type":
        yield f"<meta http-equiv>: {_describe(element)}"
    if name == "link" and not set((element.get("rel") or [])) <= LINK_RELS:
        yield f"<link> of an unexpected kind: {_describe(element)}"
    if name in SCRIPTED_IN_SVG and element.find_parent("svg") is not None:
        yield f"<{name}> inside an <svg>: {_describe(element)}"
    for attribute, value in _attributes(element):
        if attribute.startswith("on"):
            yield f"event handler {attribute}= on <{name}>: {_describe(element)}"
        elif attribute.startswith(("hx-on", "data-hx-on")) or (attribute.startswith(("hx-", "data-hx-")) and value.lstrip().startswith("js:")):
            yield f"htmx script {attribute}= on <{name}>: {_describe(element)}"
        elif attribute == "srcdoc":
            yield f"srcdoc= on <{name}>: {_describe(element)}"
        elif attribute == "style" and (not email or SCRIPT_LIKE_STYLE.search(value)):
            yield f"style= on <{name}>: {_describe(element)}"
        elif attribute.removeprefix("data-") in ALL_URL_ATTRIBUTES:
            scheme = url_scheme(value)
            if scheme is not None and scheme not in SAFE_SCHEMES:
                yield f"{scheme}: URL in {attribute}= on <{name}>: {_describe(element)}"


def _named(vectors):
    if isinstance(vectors, str):
        return {"the vector": vectors} if vectors else {}
    return dict(vectors)


@lru_cache(maxsize=2048)
def _vector_elements(vector, parser):
    """The elements the vector would make if it were taken as HTML, with the attributes it gave them."""
    found = []
    for element in soup(vector, parser).find_all(True):
        attributes = dict(_attributes(element))
        if attributes and not set(attributes) <= ORDINARY.get(element.name.lower(), set()):
            found.append((element.name.lower(), attributes))
    return tuple(found)


def _injected(tree, vectors, parser):
    by_name = defaultdict(list)
    for element in tree.find_all(True):
        by_name[element.name.lower()].append(element)
    for label, vector in vectors.items():
        for name, attributes in _vector_elements(vector, parser):
            for element in by_name[name]:
                found = dict(_attributes(element))
                if all(found.get(key) == value for key, value in attributes.items()):
                    yield f"markup from {label} survived as <{name}>: {_describe(element)}"


_QUOTED_VALUE = re.compile(r"""=\s*("[^"]*"|'[^']*')""")


def _raw_problems(document, vectors):
    # Inside a quoted attribute value, < and > are only text: serialisers (the emails' CSS inliner, browsers)
    # leave them unescaped there.
    document = _QUOTED_VALUE.sub('=""', document)
    problems = []
    for label, vector in vectors.items():
        if "<" not in vector:
            continue
        if vector in document:
            problems.append(f"{label} appears unescaped in the document")
            continue
        problems.extend(f"the tag {tag!r} of {label} appears unescaped in the document"
                        for tag in set(_RAW_TAG.findall(vector)) if ("=" in tag or "(" in tag) and tag in document)
    return problems


def _near(element):
    """Which planted content an element sits in, when the page shows many."""
    for ancestor in [element, *element.parents][:6]:
        tokens = set(TOKEN.findall(ancestor.get_text(" ")))
        if len(tokens) == 1:
            return f" (in the content planted with {tokens.pop()})"
        if tokens:
            break
    return ""


def html_problems(document, vectors="", email=False, own_markup=True):
    """Problems of a whole HTML document (a page, or an email's HTML part) that may contain the vectors."""
    vectors = _named(vectors)
    problems = _raw_problems(document, vectors)
    for parser in PARSERS:
        tree = soup(document, parser)
        if own_markup:
            for element in tree.find_all(True):
                problems.extend(problem + _near(element) for problem in element_problems(element, email=email))
        problems.extend(_injected(tree, vectors, parser))
    return list(dict.fromkeys(problems))  # each once, though both parsers saw it


def fragment_problems(fragment, vectors=""):
    """Problems of HTML that is user content and nothing else (a feed entry's summary): no site markup allowed."""
    problems = html_problems(fragment, vectors)
    for parser in PARSERS:
        for element in soup(fragment, parser).find_all(["script", "form", "input", "button", "textarea", "svg"]):
            problems.append(f"<{element.name}> in user content: {_describe(element)}")
    return list(dict.fromkeys(problems))


# Feed readers show these as HTML: Atom's text constructs with type="html" and RSS's description.
_ATOM = "{http://www.w3.org/2005/Atom}"
_HTML_IN_FEEDS = ("description", f"{_ATOM}summary", f"{_ATOM}content", f"{_ATOM}subtitle", f"{_ATOM}title")


def feed_problems(xml, vectors=""):
    """Problems of an RSS or Atom feed: every part a reader renders as HTML is checked as HTML."""
    try:
        root = SafeXML.fromstring(xml)
    except SafeXML.ParseError as error:
        return [f"the feed is not well-formed XML: {error}"]
    problems = []
    for element in root.iter():
        is_html = element.tag == "description" or element.get("type") in {"html", "xhtml"}
        if element.tag in _HTML_IN_FEEDS and is_html and element.text:
            problems.extend(f"{element.tag.removeprefix(_ATOM)}: {problem}"
                            for problem in fragment_problems(element.text, vectors))
    return problems


def json_problems(response):
    """A JSON answer must say it is JSON, forbid sniffing it as HTML, and parse."""
    problems = []
    if response["Content-Type"].split(";")[0] != "application/json":
        problems.append(f"JSON served as {response['Content-Type']}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("JSON served without X-Content-Type-Options: nosniff")
    try:
        json.loads(response.content)
    except ValueError as error:
        problems.append(f"not JSON: {error}")
    return problems


def email_problems(message, vectors=""):
    """An email: its HTML part as an HTML document with inline styles, and headers that stay one line each."""
    problems = []
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype == "text/html":
            problems.extend(f"HTML part: {problem}" for problem in html_problems(content, vectors, email=True))
    headers = message_from_string(message.message().as_string(), policy=default_policy)
    for name in ("Bcc", "X-Injected"):
        if name in headers:
            problems.append(f"the email gained a {name} header")
    if message.recipients() != message.to:
        problems.append(f"the email gained recipients: {message.recipients()}")
    return problems


def response_problems(response, vectors=""):
    """Problems of any answer a test client got, chosen by its content type; Wagtail's admin judged as above."""
    if response.status_code >= 500:
        return [f"server error {response.status_code}"]
    content_type = response.get("Content-Type", "").split(";")[0]
    if content_type == "application/json":
        return json_problems(response)
    body = response.content.decode()
    if content_type in {"application/atom+xml", "application/rss+xml", "application/xml", "text/xml"}:
        return feed_problems(response.content, vectors)
    if content_type == "text/html":
        return html_problems(body, vectors, own_markup=not response.wsgi_request.path.startswith("/admin/"))
    if content_type == "text/plain":
        return []
    return [f"unexpected content type {content_type!r}"]
