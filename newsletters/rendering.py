"""A roundup as one reader may see it: the web page, the email and the previews all read it through here.

The body's items are loaded in bulk (a constant number of queries whatever their count), each is given
its audience once, and a reader's view keeps only the items they may read, and the headings and text
that still introduce something.
"""

from dataclasses import dataclass

from django.utils.html import strip_tags
from wagtail.models import PageViewRestriction
from wagtail.rich_text import expand_db_html

from communities.models import Thread
from library.models import CaseStudyPage, SlideDeck

from .permissions import EVERYONE, item_audience, may_see

ITEM_MODELS = {
    "thread": lambda ids: Thread.objects.filter(pk__in=ids).select_related("community"),
    "deck": lambda ids: SlideDeck.objects.filter(pk__in=ids).select_related("community"),
    "case_study": lambda ids: CaseStudyPage.objects.filter(pk__in=ids).select_related("community"),
}


@dataclass
class Entry:
    """One block of the body: a heading, a piece of text, or an item with what is needed to show it."""

    type: str
    value: object = None
    obj: object = None
    section: str = ""
    line: str = ""
    replies: int | None = None
    audience: object = EVERYONE

    @property
    def is_item(self):
        return self.type in ITEM_MODELS

    @property
    def key(self):
        return f"{self.type}:{self.obj.pk}" if self.is_item and self.obj is not None else None

    @property
    def title(self):
        return self.obj.title if self.obj is not None else ""

    @property
    def url(self):
        if self.type == "case_study":
            return self.obj.url
        return self.obj.get_absolute_url()

    @property
    def community_title(self):
        community = getattr(self.obj, "community", None)
        return community.title if community is not None else ""

    @property
    def html(self):
        """The rich text of a text block, with Wagtail's internal links expanded."""
        return expand_db_html(self.value) if self.type == "text" else ""

    @property
    def text(self):
        return " ".join(strip_tags(self.html).split()) if self.type == "text" else str(self.value or "")


def _restricted_case_study_paths():
    return [restriction.page.path for restriction in PageViewRestriction.objects.select_related("page")]


def resolve(roundup):
    """Every block of the roundup's body as an Entry, with items loaded and their audience decided."""
    raw = list(roundup.body.raw_data)
    wanted = {kind: set() for kind in ITEM_MODELS}
    for block in raw:
        if block["type"] in ITEM_MODELS and isinstance(block["value"], dict) and block["value"].get(block["type"]):
            wanted[block["type"]].add(block["value"][block["type"]])
    loaded = {kind: {obj.pk: obj for obj in ITEM_MODELS[kind](ids)} if ids else {} for kind, ids in wanted.items()}
    restricted = _restricted_case_study_paths() if wanted["case_study"] else []

    entries = []
    for block in raw:
        kind, value = block["type"], block["value"]
        if kind not in ITEM_MODELS:
            entries.append(Entry(type=kind, value=value))
            continue
        value = value if isinstance(value, dict) else {}
        obj = loaded[kind].get(value.get(kind))
        entries.append(Entry(
            type=kind, obj=obj, section=value.get("section", ""), line=value.get("line") or "",
            replies=value.get("replies"), audience=item_audience(kind, obj, restricted),
        ))
    return entries


def visible_to(entries, user):
    """The entries this reader may see. A heading stays only if an item or text follows it before the next one."""
    shown = [entry for entry in entries if not entry.is_item or may_see(user, entry.audience)]
    kept = []
    for index, entry in enumerate(shown):
        following = shown[index + 1] if index + 1 < len(shown) else None
        if entry.type == "heading" and (following is None or following.type == "heading"):
            continue
        kept.append(entry)
    return kept


def view_signature(entries, user):
    """What distinguishes this reader's view from another's: readers with equal signatures see the same roundup."""
    return frozenset(entry.key for entry in entries if entry.is_item and may_see(user, entry.audience))
