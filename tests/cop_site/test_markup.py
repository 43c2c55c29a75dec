"""render_markdown: hostile input comes out harmless, ordinary Markdown comes out intact.

No database: these run with or without pytest-django's settings.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
from bs4 import BeautifulSoup
from django.utils.safestring import SafeString

from cop_site.markup import MARKUP_VERSION, render_markdown
from tests.cop_site.xss_vectors import XSS_PARAMS, XSS_VECTORS, assert_html_is_safe, url_scheme

REL = 'rel="nofollow ugc noopener"'


def soup(text):
    return BeautifulSoup(render_markdown(text), "html.parser")


# --- hostile input ---------------------------------------------------------------------


def test_the_corpus_is_large_and_has_unique_ids_and_payloads():
    names = [name for name, _ in XSS_VECTORS]
    payloads = [payload for _, payload in XSS_VECTORS]
    assert len(XSS_VECTORS) >= 100
    assert len(set(names)) == len(names)
    assert len(set(payloads)) == len(payloads)


@pytest.mark.parametrize("payload", XSS_PARAMS)
def test_attack_vector_renders_safely(payload):
    assert_html_is_safe(render_markdown(payload))


@pytest.mark.parametrize(
    "fragment",
    [
        "<script>alert(1)</script>",
        "<p>x<!-- y --></p>",
        '<img src="x" onerror="alert(1)">',
        '<p style="color:red">x</p>',
        '<a href="https://example.com">no rel</a>',
        '<a href="https://example.com" rel="nofollow ugc noopener" target="_blank">x</a>',
        '<a href=" &#106;ava&#x09;script:alert(1)" rel="nofollow ugc noopener">x</a>',
        '<img src="data:image/png;base64,AAAA">',
        "<svg><a>x</a></svg>",
    ],
)
def test_the_checker_catches_unsafe_html(fragment):
    """The shared checker must itself fail on the things it is meant to catch."""
    with pytest.raises(AssertionError):
        assert_html_is_safe(fragment)


@pytest.mark.parametrize(
    "value, scheme",
    [
        ("https://example.com", "https"),
        ("/relative/path", None),
        ("#anchor", None),
        ("page.html?a=b:c", None),
        ("\x01 JaVa\tScRiPt:alert(1)", "javascript"),
        ("&#106;avascript:alert(1)", "javascript"),
        ("%6Aavascript:alert(1)", None),
    ],
)
def test_url_scheme_normalises_like_a_browser(value, scheme):
    assert url_scheme(value) == scheme


def test_raw_html_is_shown_as_typed_not_dropped():
    assert render_markdown("<script>alert(1)</script>") == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    assert render_markdown("I <b>really</b> mean it") == "<p>I &lt;b&gt;really&lt;/b&gt; mean it</p>"


def test_javascript_markdown_link_keeps_its_text_but_not_the_link():
    assert render_markdown("[click me](javascript:alert(1))") == "<p>click me</p>"
    assert render_markdown("[x][1]\n\n[1]: &#106;avascript:alert(1)") == "<p>x</p>"


def test_an_image_is_a_link_to_it_and_a_data_url_is_no_link():
    """The Content-Security-Policy loads no image from elsewhere, so an <img> would only show broken."""
    assert render_markdown("![x](data:image/png;base64,iVBORw0KGgo=)") == "<p>x</p>"
    assert render_markdown("![x](/media/a.png)") == f'<p><a href="/media/a.png" {REL}>x</a></p>'
    assert render_markdown("![](https://example.com/a.png)") == f'<p><a href="https://example.com/a.png" {REL}>image</a></p>'


def test_image_title_injection_stays_inside_the_title():
    link = soup('![x](http://a.example/b.png "onerror=alert(1)")').a
    assert link.attrs == {
        "href": "http://a.example/b.png", "title": "onerror=alert(1)", "rel": ["nofollow", "ugc", "noopener"],
    }


def test_link_title_injection_stays_inside_the_title():
    a = soup('[a](http://x.example "\\" onmouseover=alert(1) \\"")').a
    assert set(a.attrs) == {"href", "title", "rel"}
    assert "onmouseover" in a["title"]


def test_raw_html_link_is_escaped_and_no_link_gets_a_target():
    tree = soup('<a href="https://example.com" target="_blank">x</a>')
    assert '<a href="https://example.com" target="_blank">x</a>' in tree.get_text()
    assert all("target" not in a.attrs for a in tree.find_all("a"))


def test_linkify_does_not_link_other_schemes():
    assert render_markdown("javascript:alert(1)") == "<p>javascript:alert(1)</p>"
    out = render_markdown("data://example.com/x")
    assert 'href="http://example.com/x"' in out
    assert 'href="data:' not in out


def test_template_syntax_comes_out_literally():
    assert render_markdown("{{ 7*7 }}") == "<p>{{ 7*7 }}</p>"
    assert render_markdown("{% debug %}") == "<p>{% debug %}</p>"


def test_control_characters_and_markdown_placeholders_are_dropped():
    assert render_markdown("a\x00b\x02wzxhzdk:0\x03c") == "<p>abwzxhzdk:0c</p>"


def test_pathologically_deep_nesting_falls_back_to_escaped_text():
    out = render_markdown("- " * 1000 + "<b>x</b> https://example.com")
    assert out.startswith("<p>- - - ")
    assert out.endswith(f'&lt;b&gt;x&lt;/b&gt; <a href="https://example.com" {REL}>https://example.com</a></p>')


# --- legitimate Markdown ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("*hello*", "<p><em>hello</em></p>", id="emphasis"),
        pytest.param("_hello_", "<p><em>hello</em></p>", id="emphasis-underscore"),
        pytest.param("**strong**", "<p><strong>strong</strong></p>", id="strong"),
        pytest.param("***both***", "<p><strong><em>both</em></strong></p>", id="strong-emphasis"),
        pytest.param("Use `pip install`", "<p>Use <code>pip install</code></p>", id="inline-code"),
        pytest.param("Type `<b>`", "<p>Type <code>&lt;b&gt;</code></p>", id="inline-code-html"),
        pytest.param("# Title", "<h1>Title</h1>", id="h1"),
        pytest.param("## Section", "<h2>Section</h2>", id="h2"),
        pytest.param("###### Small", "<h6>Small</h6>", id="h6"),
        pytest.param("a\n\n---\n\nb", "<p>a</p>\n<hr>\n<p>b</p>", id="hr"),
        pytest.param("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>", id="blockquote"),
        pytest.param("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>", id="unordered-list"),
        pytest.param("1. a\n2. b", "<ol>\n<li>a</li>\n<li>b</li>\n</ol>", id="ordered-list"),
        pytest.param("3. c\n4. d", '<ol start="3">\n<li>c</li>\n<li>d</li>\n</ol>', id="ordered-list-start"),
        pytest.param(
            "1. a\n\n* b",
            "<ol>\n<li>a</li>\n</ol>\n<ul>\n<li>b</li>\n</ul>",
            id="sane-lists-do-not-mix",
        ),
        pytest.param("line one\nline two", "<p>line one\nline two</p>", id="no-nl2br"),
        pytest.param("line one  \nline two", "<p>line one<br>\nline two</p>", id="hard-break"),
        pytest.param("a & b", "<p>a &amp; b</p>", id="ampersand-escaped-once"),
        pytest.param("a &amp; b", "<p>a &amp; b</p>", id="entity-not-double-escaped"),
        pytest.param("1 < 2 > 0", "<p>1 &lt; 2 &gt; 0</p>", id="angle-brackets"),
        pytest.param("&copy; 2024", "<p>&copy; 2024</p>", id="named-entity"),
        pytest.param(
            "[GOV.UK](https://www.gov.uk)",
            f'<p><a href="https://www.gov.uk" {REL}>GOV.UK</a></p>',
            id="https-link",
        ),
        pytest.param(
            '[old](http://example.com "Old site")',
            f'<p><a href="http://example.com" title="Old site" {REL}>old</a></p>',
            id="http-link-title",
        ),
        pytest.param(
            "[email us](mailto:team@example.org)",
            f'<p><a href="mailto:team@example.org" {REL}>email us</a></p>',
            id="mailto-link",
        ),
        pytest.param(
            "[the library](/library/)",
            f'<p><a href="/library/" {REL}>the library</a></p>',
            id="relative-link",
        ),
        pytest.param("[below](#kpis)", f'<p><a href="#kpis" {REL}>below</a></p>', id="anchor-link"),
        pytest.param(
            "[report][r]\n\n[r]: https://example.com/report.pdf",
            f'<p><a href="https://example.com/report.pdf" {REL}>report</a></p>',
            id="reference-link",
        ),
        pytest.param(
            "<https://example.com>",
            f'<p><a href="https://example.com" {REL}>https://example.com</a></p>',
            id="autolink",
        ),
        pytest.param(
            "See https://example.com/a?b=1&c=2 now",
            f'<p>See <a href="https://example.com/a?b=1&amp;c=2" {REL}>https://example.com/a?b=1&amp;c=2</a> now</p>',
            id="bare-url-linkified",
        ),
        pytest.param(
            "![Chart](https://example.com/chart.png)",
            f'<p><a href="https://example.com/chart.png" {REL}>Chart</a></p>',
            id="image",
        ),
        pytest.param(
            '![Chart](http://example.com/c.png "Q3")',
            f'<p><a href="http://example.com/c.png" title="Q3" {REL}>Chart</a></p>',
            id="image-title",
        ),
        pytest.param("Café, naïve, 日本語, 😀", "<p>Café, naïve, 日本語, 😀</p>", id="unicode-emoji"),
        pytest.param(
            "Llanfairpwllgwyngyll, Ynys Môn; Betws-y-Coed; Pen-y-bont ar Ogwr",
            "<p>Llanfairpwllgwyngyll, Ynys Môn; Betws-y-Coed; Pen-y-bont ar Ogwr</p>",
            id="welsh-place-names",
        ),
        pytest.param("Ŵ ŷ ẅ â — ‘quoted’", "<p>Ŵ ŷ ẅ â — ‘quoted’</p>", id="welsh-diacritics"),
    ],
)
def test_legitimate_markdown(text, expected):
    assert render_markdown(text) == expected


def test_fenced_code_keeps_language_and_shows_html_as_text():
    out = render_markdown("```python\nif a < b and '<b>':\n    print('https://example.com')\n```")
    assert out == (
        '<pre><code class="language-python">if a &lt; b and \'&lt;b&gt;\':\n'
        "    print('https://example.com')\n</code></pre>"
    )


def test_nested_lists():
    tree = soup("- fruit\n    1. apple\n    2. pear\n- veg")
    outer = tree.find("ul")
    assert [li.find(string=True, recursive=False).strip() for li in outer.find_all("li", recursive=False)] == [
        "fruit",
        "veg",
    ]
    inner = outer.find("ol")
    assert [li.get_text() for li in inner.find_all("li")] == ["apple", "pear"]


def test_table_with_alignment():
    tree = soup("| KPI | Target |\n|:----|-------:|\n| FCR | 80% |\n| AHT | 5 min |")
    table = tree.table
    assert [th.get_text() for th in table.thead.find_all("th")] == ["KPI", "Target"]
    assert [[td.get_text() for td in tr.find_all("td")] for tr in table.tbody.find_all("tr")] == [
        ["FCR", "80%"],
        ["AHT", "5 min"],
    ]
    assert [th.get("align") for th in table.thead.find_all("th")] == ["left", "right"]
    assert "style" not in str(tree)


def test_realistic_post():
    text = """## Cutting avoidable contact (NI14) at Northfield

We measured **avoidable contact** under the old NI14 definition for six months.
Most of it was *progress chasing*: people ringing back because nobody told them
what happens next. Our write-up is at https://example.gov.uk/ni14-review and the
[LGA guidance](https://www.local.gov.uk/ "LGA") is still worth reading.

| Measure | Before | After |
|:--------|-------:|------:|
| Avoidable contact | 38% | 24% |
| First contact resolution | 61% | 74% |
| Average handling time | 6m 10s | 5m 05s |
| Calls abandoned | 12% | 7% |

What worked:

1. Text updates at each stage of a council tax change
2. Clearer bin-collection letters (Welsh and English for Ynys Môn colleagues)
3. Fixing the web form so it says "we've got it" & gives a reference

> "Failure demand is demand caused by a failure to do something or do something right for the customer."
> John Seddon

Questions to `contact-centre@example.gov.uk` or [email me](mailto:alex@example.gov.uk).
"""
    out = render_markdown(text)
    assert_html_is_safe(out)
    tree = BeautifulSoup(out, "html.parser")
    assert tree.h2.get_text() == "Cutting avoidable contact (NI14) at Northfield"
    assert tree.strong.get_text() == "avoidable contact"
    assert [a["href"] for a in tree.find_all("a")] == [
        "https://example.gov.uk/ni14-review",
        "https://www.local.gov.uk/",
        "mailto:alex@example.gov.uk",
    ]
    rows = [[cell.get_text() for cell in tr.find_all(["th", "td"])] for tr in tree.table.find_all("tr")]
    assert rows[0] == ["Measure", "Before", "After"]
    assert rows[1] == ["Avoidable contact", "38%", "24%"]
    assert len(rows) == 5
    assert len(tree.ol.find_all("li")) == 3
    assert "we've got it\" &amp; gives a reference" in out
    assert "John Seddon" in tree.blockquote.get_text()
    assert tree.code.get_text() == "contact-centre@example.gov.uk"


# --- edges and contract ------------------------------------------------------------------


@pytest.mark.parametrize("text", [None, ""], ids=["none", "empty"])
def test_empty_input_gives_empty_safe_output(text):
    out = render_markdown(text)
    assert out == ""
    assert isinstance(out, SafeString)


def test_whitespace_only_gives_empty_output():
    assert render_markdown("  \n\n ") == ""


def test_output_is_a_safe_string():
    assert isinstance(render_markdown("*x*"), SafeString)


@pytest.mark.parametrize(
    "text", ["*x* https://example.com", "| a |\n|---|\n| <b> |", *[payload for _, payload in XSS_VECTORS[:40]]]
)
def test_rendering_is_deterministic(text):
    assert render_markdown(text) == render_markdown(text)


def test_rendering_from_many_threads_at_once_is_consistent():
    """bleach's Cleaner is not thread-safe; render_markdown must still be."""
    texts = [payload for _, payload in XSS_VECTORS] + ["*x* https://example.com"] * 50
    expected = [render_markdown(text) for text in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(render_markdown, texts)) == expected


def test_markup_version_is_a_short_string_when_stored():
    assert 0 < len(str(MARKUP_VERSION)) <= 20  # stored in a CharField(max_length=20)
