"""The resource library: slide decks with real (small) files, and case studies as live Wagtail pages.

Deck files are made once per template, a handful of small PDFs and PowerPoint files built like the demo's,
with a thumbnail and slide previews drawn as the site draws title cards, small enough that tens of thousands
stay light; each deck gets its own copies in the configured private storage, as an upload would. Decks are
READY, with their page count and extracted text (the slides' words and the speaker's notes, in the domain's
vocabulary). Most are shared with a community, the rest are in the public library, shared by facilitators.

Case studies go under the library page in bulk (pages.py), live, with topics, a community for most, an
intervention plan and measured outcomes, and links to decks and threads of their community.
"""

import io
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.utils.text import slugify

from library.demo import pdf_bytes, pptx_bytes
from library.models import CaseStudyPage, LibraryIndexPage, SlideDeck, SlideDeckPreview
from library.processing import title_card

from . import bodies, vocabulary
from .pages import ChildPages
from .rows import TableWriter, next_id
from .timeline import as_datetime
from .topics import topics_by_theme, topics_for
from .vocabulary import COUNCILS, EVENTS, MEASURES, PLAN_OWNERS, THEME_SLUGS, THEMES, text

PUBLIC_LIBRARY_SHARE = 0.3
PPTX_SHARE = 0.2
MAX_DOWNLOADS = 5000
THUMBNAIL_WIDTH, PREVIEW_WIDTH = 320, 480
CASE_STUDY_COMMUNITY_SHARE = 0.6
RELATED_PER_COMMUNITY = 20
Region = CaseStudyPage.Region
OrganisationType = CaseStudyPage.OrganisationType
ORGANISATION_TYPES = {
    "County Council": OrganisationType.COUNTY, "District Council": OrganisationType.DISTRICT,
    "Borough Council": OrganisationType.METROPOLITAN, "City Council": OrganisationType.UNITARY,
    "Council": OrganisationType.UNITARY,
}


@dataclass(frozen=True)
class DeckFile:
    """One template: the file, and the images and text processing would have taken from it."""

    kind: str
    content: bytes
    thumbnail: bytes
    previews: tuple
    text: str


@dataclass
class Library:
    """Deck ids by community index (None: the public library), for case studies to link to."""

    decks_by_community: dict = field(default_factory=dict)


def _png(image):
    buffer = io.BytesIO()
    image.quantize(16).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def deck_templates(rng):
    """A handful of distinct deck files: four PDFs of two to four slides and two PowerPoint files."""
    templates = []
    for number in range(6):
        themes = tuple(rng.sample(THEME_SLUGS, 2))
        heading = THEMES[themes[0]][0]
        slides = [(heading, [vocabulary.title(rng, "deck", themes)])]
        for _ in range(rng.randint(1, 3)):
            slides.append((vocabulary.domain_term(rng, themes).capitalize(),
                           [text(rng, themes, rng.randint(4, 8)).rstrip(".?") for _ in range(3)]))
        kind = SlideDeck.Kind.PPTX if number >= 4 else SlideDeck.Kind.PDF
        content = (pptx_bytes if kind == SlideDeck.Kind.PPTX else pdf_bytes)(heading, slides)
        previews = tuple(
            _png(title_card(slide_heading, PREVIEW_WIDTH, caption=f"Slide {page} of {len(slides)}"))
            for page, (slide_heading, _) in enumerate(slides, start=1)
        )
        words = "\n\n".join(f"{slide_heading} • " + " • ".join(points) for slide_heading, points in slides)
        templates.append(DeckFile(kind, content, _png(title_card(heading, THUMBNAIL_WIDTH)), previews, words))
    return templates


def _description(rng):
    themes = tuple(rng.sample(THEME_SLUGS, 2))
    parts = [f"Slides from the {rng.choice(EVENTS)}. {text(rng, themes, rng.randint(20, 50))}"]
    if rng.random() < 0.4:
        parts.append("Covers:\n\n" + "\n".join(f"- {vocabulary.domain_term(rng, themes)}" for _ in range(3)))
    return "\n\n".join(parts)


def create_decks(run, communities):
    preset, rng, timeline = run.preset, run.rng("decks"), run.timeline
    templates = deck_templates(rng)
    descriptions = bodies.text_pool(rng, max(20, min(300, preset.decks // 20)), _description)
    by_theme = topics_by_theme()
    storage = SlideDeck._meta.get_field("file").storage
    cum_weights = communities.cum_weights()
    facilitators = sorted({user_id for community in communities.all for user_id in community.facilitators})
    library = Library()
    first_id = next_id(SlideDeck)
    decks = TableWriter(SlideDeck, [
        "id", "title", "slug", "description", "community", "event", "presented_on", "uploaded_by", "created_at", "file",
        "original_filename", "kind", "file_size", "status", "processing_error", "processing_attempts",
        "processing_started_at", "page_count", "extracted_text", "thumbnail", "download_count", "body_html",
        "body_html_version",
    ])
    topics = TableWriter(SlideDeck.topics.through, ["slidedeck", "topic"])
    previews = TableWriter(SlideDeckPreview, ["deck", "page_number", "image"])
    with run.progress("Slide decks", preset.decks) as bar, decks, topics, previews:
        for number in range(preset.decks):
            deck_id = first_id + number
            created = timeline.moment(rng)
            if rng.random() < PUBLIC_LIBRARY_SHARE:
                community, uploader = None, rng.choice(facilitators)
                themes = tuple(rng.sample(THEME_SLUGS, 2))
            else:
                community = rng.choices(communities.all, cum_weights=cum_weights)[0]
                uploader, themes = community.poster_at(rng, created), community.themes
            wanted = SlideDeck.Kind.PPTX if rng.random() < PPTX_SHARE else SlideDeck.Kind.PDF
            template = rng.choice([template for template in templates if template.kind == wanted])
            title = vocabulary.title(rng, "deck", themes)
            slug = slugify(title)[:100] or "deck"
            stamp = as_datetime(created)
            folder = f"{stamp:%Y/%m}"
            file_name = storage.save(f"decks/{folder}/{slug[:60]}-{deck_id}.{template.kind}", io.BytesIO(template.content))
            thumbnail = storage.save(f"deck-images/{folder}/deck-{deck_id}-thumbnail.png", io.BytesIO(template.thumbnail))
            for page, png in enumerate(template.previews, start=1):
                previews.add((deck_id, page, storage.save(f"deck-images/{folder}/deck-{deck_id}-page-{page}.png",
                                                          io.BytesIO(png))))
            description = rng.randrange(len(descriptions.texts))
            decks.add((
                deck_id, title, slug, descriptions.texts[description], community.page_id if community else None,
                rng.choice(EVENTS) if rng.random() < 0.8 else "",
                (stamp - timedelta(days=rng.randint(0, 60))).date(), uploader, stamp, file_name,
                f"{slug[:60]}.{template.kind}", template.kind, len(template.content), SlideDeck.Status.READY, "", 1,
                as_datetime(created + 5), len(template.previews),
                f"{template.text}\n\n{text(rng, themes, rng.randint(80, 300))}", thumbnail,
                min(int(rng.paretovariate(1.2)) - 1, MAX_DOWNLOADS), descriptions.html[description], bodies.HTML_VERSION,
            ))
            for topic in topics_for(themes, by_theme):
                topics.add((deck_id, topic.pk))
            kept = library.decks_by_community.setdefault(community.index if community else None, [])
            if len(kept) < RELATED_PER_COMMUNITY:
                kept.append(deck_id)
            bar.advance()
    run.count("slide decks", decks.written)
    run.count("slide previews", previews.written)
    return library


def _intervention(rng, themes, published):
    year = (published - timedelta(days=rng.randint(60, 400))).year
    return ("intervention", {
        "intervention": text(rng, themes, rng.randint(15, 35)),
        "by_when": rng.choice([f"By March {year}", f"Q{rng.randint(1, 4)} {year}", f"Started in {year}; ongoing"]),
        "by_whom": rng.choice(PLAN_OWNERS),
        "resource_implications": text(rng, themes, rng.randint(6, 14)),
        "main_risk": text(rng, themes, rng.randint(6, 14)),
        "contingency": text(rng, themes, rng.randint(6, 14)),
        "monitoring": text(rng, themes, rng.randint(5, 10)),
        "expected_outcome": text(rng, themes, rng.randint(6, 14)),
    })


def _outcome(rng, published):
    unit = rng.choice(["%", "%", "seconds", "calls a month", ""])
    before = Decimal(rng.randint(20, 90) if unit == "%" else rng.randint(40, 5000))
    after = (before * Decimal(rng.uniform(0.5, 1.4))).quantize(Decimal("0.1"))
    if unit == "%":
        after = min(after, Decimal(99))
    year = published.year - 1
    return ("outcome", {"metric": rng.choice(MEASURES), "before": before, "after": after, "unit": unit,
                        "period": f"{year - 1}/{str(year)[2:]} to {year}/{str(year + 1)[2:]}"})


def _a_few(rng, ids, most=2):
    return rng.sample(ids, min(rng.randint(0, most), len(ids)))


def create_case_studies(run, people, communities, forum, library):
    preset, rng, timeline = run.preset, run.rng("case-studies"), run.timeline
    library_page = LibraryIndexPage.objects.get()
    taken_slugs = set(library_page.get_children().values_list("slug", flat=True))
    by_theme = topics_by_theme()
    cum_weights = communities.cum_weights()
    with run.progress("Case studies", preset.case_studies) as bar, ChildPages(library_page, CaseStudyPage, rng) as pages:
        for number in range(preset.case_studies):
            published = timeline.moment(rng)
            community = None
            if rng.random() < CASE_STUDY_COMMUNITY_SHARE:
                community = rng.choices(communities.all, cum_weights=cum_weights)[0]
            themes = community.themes if community else tuple(rng.sample(THEME_SLUGS, 2))
            council = rng.choice(COUNCILS)
            title = vocabulary.title(rng, "case_study", themes, council=council)
            slug = f"{slugify(title)[:70]}-{number + 1}"
            while slug in taken_slugs:
                slug += "-b"
            taken_slugs.add(slug)
            stamp = as_datetime(published)
            key = community.index if community else None
            pages.add(
                title, slug, stamp, owner_id=community.poster_at(rng, published) if community else people.random_poster(rng),
                organisation=council,
                organisation_type=ORGANISATION_TYPES.get(council.split(" ", 1)[-1], OrganisationType.OTHER),
                region=rng.choice(Region.values), community=community.page_id if community else None,
                summary=text(rng, themes, rng.randint(35, 60))[:500],
                challenge="".join(f"<p>{text(rng, themes, rng.randint(40, 90))}</p>" for _ in range(2)),
                approach="".join(f"<p>{text(rng, themes, rng.randint(40, 90))}</p>" for _ in range(rng.randint(1, 3))),
                lessons="<ul>" + "".join(f"<li>{text(rng, themes, rng.randint(8, 20))}</li>" for _ in range(3)) + "</ul>",
                interventions=[_intervention(rng, themes, stamp) for _ in range(rng.randint(1, 4))],
                outcomes=[_outcome(rng, stamp) for _ in range(rng.randint(1, 4))],
                related={
                    "topics": [topic.pk for topic in topics_for(themes, by_theme)],
                    "related_decks": _a_few(rng, library.decks_by_community.get(key, [])),
                    "related_threads": _a_few(rng, forum.threads_by_community.get(key, [])),
                },
            )
            bar.advance()
    run.count("case studies", preset.case_studies)
