"""Member-written Markdown in the domain's words, rendered once per distinct text and reused.

Rendering a million posts would take longer than the rest of the generation together, so a pool of a few
thousand bodies is written and rendered with the site's one Markdown function (cop_site.markup), and each post
takes one. Openings ask and set out a problem; replies answer, some with a quote of the thread; a share carry
lists, links, a table of figures or a code block, as members write them.
"""

from dataclasses import dataclass, field

from django.utils.text import slugify

from cop_site.markup import MARKUP_VERSION, render_markdown

from . import vocabulary
from .vocabulary import CODE_SNIPPETS, GREETINGS, LINK_PHRASES, MEASURES, PLACES, SIGN_OFFS, THEME_SLUGS

OPENING, REPLY, QUOTING = "opening", "reply", "quoting"
KIND_SHARES = ((OPENING, 0.3), (REPLY, 0.55), (QUOTING, 0.15))
HTML_VERSION = str(MARKUP_VERSION)


def paragraph(rng, themes, low=25, high=90):
    return vocabulary.text(rng, themes, rng.randint(low, high))


def bullet_list(rng, themes, numbered=False):
    items = []
    for number in range(1, rng.randint(3, 5) + 1):
        term = vocabulary.domain_term(rng, themes)
        marker = f"{number}." if numbered else "-"
        items.append(f"{marker} **{term[:1].upper() + term[1:]}**: {paragraph(rng, themes, 6, 14).rstrip('.?')}")
    return "\n".join(items)


def link(rng, themes):
    term = vocabulary.domain_term(rng, themes)
    place = slugify(rng.choice(PLACES))
    return f"{rng.choice(LINK_PHRASES)} [{term}](https://www.example.gov.uk/{place}/{slugify(term)})."


def figures_table(rng):
    rows = []
    for measure in rng.sample(MEASURES, rng.randint(2, 4)):
        before = rng.randint(30, 90)
        after = min(99, before + rng.randint(-8, 20))
        rows.append(f"| {measure} | {before}% | {after}% |")
    return "| Measure | Last year | This year |\n| --- | ---: | ---: |\n" + "\n".join(rows)


def code_block(rng):
    language, code = rng.choice(CODE_SNIPPETS)
    return f"```{language}\n{code}\n```"


def quote(rng, themes):
    return "> " + paragraph(rng, themes, 12, 30)


def compose(rng, kind, themes):
    """One post body of the given kind, in Markdown."""
    blocks = []
    if kind == QUOTING:
        blocks.append(quote(rng, themes))
    elif kind == REPLY and rng.random() < 0.3:
        blocks.append(rng.choice(GREETINGS))
    blocks.append(paragraph(rng, themes))
    extra = rng.random()
    if kind == OPENING and extra < 0.35:
        blocks.append("Questions I'd value views on:\n\n" + bullet_list(rng, themes, numbered=rng.random() < 0.5))
    elif extra < 0.18:
        blocks.append(bullet_list(rng, themes))
    elif extra < 0.26:
        blocks.append(figures_table(rng))
    elif extra < 0.30:
        blocks.append(code_block(rng))
    if rng.random() < 0.4:
        blocks.append(paragraph(rng, themes, 15, 60))
    if rng.random() < 0.15:
        blocks.append(link(rng, themes))
    sign_off = rng.choice(SIGN_OFFS)
    if sign_off and rng.random() < 0.4:
        blocks.append(sign_off)
    return "\n\n".join(blocks)


@dataclass
class Pool:
    """Distinct bodies with their HTML, found by kind and theme: `texts[i]`, `html[i]`."""

    texts: list = field(default_factory=list)
    html: list = field(default_factory=list)
    by_kind_theme: dict = field(default_factory=dict)

    def add(self, text, kind=None, themes=()):
        self.texts.append(text)
        self.html.append(str(render_markdown(text)))
        index = len(self.texts) - 1
        for theme in themes:
            self.by_kind_theme.setdefault((kind, theme), []).append(index)
        return index

    def pick(self, rng, kind, themes):
        """A body of this kind about one of the themes (any theme if the pool has none for them)."""
        candidates = self.by_kind_theme.get((kind, rng.choice(themes)))
        if not candidates:
            candidates = self.by_kind_theme[(kind, rng.choice([t for k, t in self.by_kind_theme if k == kind]))]
        return rng.choice(candidates)


def post_pool(rng, size, progress=None):
    """`size` post bodies, each kind in its share, each about two themes."""
    pool = Pool()
    for kind, share in KIND_SHARES:
        for _ in range(max(1, round(size * share))):
            themes = tuple(rng.sample(THEME_SLUGS, 2))
            pool.add(compose(rng, kind, themes), kind, themes)
            if progress:
                progress.advance()
    return pool


def text_pool(rng, size, make):
    """`size` texts made by `make(rng)`, rendered: profile bios, deck descriptions."""
    pool = Pool()
    for _ in range(size):
        pool.add(make(rng))
    return pool
