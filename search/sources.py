"""How each kind of content becomes a SearchDocument, and which documents a change affects.

A document is built from the database at indexing time, so whatever the index holds follows the
current visibility rules. `document_for_key` returns None for anything that must not be searchable
(hidden threads, unpublished pages, inactive members): the outbox then removes it from the index.
"""

from datetime import datetime, time
from functools import cache
from itertools import islice
from html import unescape

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.html import strip_tags

from communities.models import CommunityPage, Post, Profile, Thread
from library.models import CaseStudyPage, SlideDeck
from newsletters.permissions import EVERYONE
from newsletters.rendering import resolve

from .documents import Access, SearchDocument

MAX_BODY_CHARS = 100_000


def community_access(community):
    return Access.PUBLIC if community.visibility == CommunityPage.Visibility.PUBLIC else Access.COMMUNITY


def plain(html):
    """Rendered HTML as the words a reader sees: tags dropped, entities decoded."""
    return unescape(strip_tags(html or ""))


def text_of(*parts):
    return "\n".join(part for part in parts if part)[:MAX_BODY_CHARS]


def thread_document(thread):
    community = thread.community
    if thread.is_hidden or not community.live:
        return None
    topics = list(community.topics.all())
    return SearchDocument(
        key=f"thread:{thread.pk}", kind="thread", title=thread.title,
        body=text_of(*(plain(post.body_html) for post in thread.visible_posts)), url=thread.get_absolute_url(),
        access=community_access(community), date=thread.last_post_at,
        community_id=community.pk, community_title=community.title,
        topics=[topic.slug for topic in topics], topic_names=[topic.name for topic in topics],
    )


def deck_document(deck):
    community = deck.community
    if community is not None and not community.live:
        return None
    topics = list(deck.topics.all())
    return SearchDocument(
        key=f"deck:{deck.pk}", kind="deck", title=deck.title,
        body=text_of(deck.event, plain(deck.body_html), deck.extracted_text), url=deck.get_absolute_url(),
        access=Access.PUBLIC if community is None else community_access(community), date=deck.created_at,
        community_id=community.pk if community else None, community_title=community.title if community else "",
        topics=[topic.slug for topic in topics], topic_names=[topic.name for topic in topics],
        listed_year=deck.listed_on.year,  # the library's year filter means the same with words or without
    )


def case_study_document(study):
    if not study.live or study.get_view_restrictions().exists():
        return None
    topics = list(study.topics.all())
    interventions = [" ".join(str(value) for value in block.value.values()) for block in study.interventions]
    outcomes = [" ".join(str(value) for value in block.value.values()) for block in study.outcomes]
    return SearchDocument(
        key=f"case_study:{study.pk}", kind="case_study", title=study.title,
        body=text_of(study.organisation, study.summary, plain(study.challenge), plain(study.approach),
                     *interventions, *outcomes, plain(study.lessons)),
        url=study.url, access=Access.PUBLIC, date=published_date(study),
        community_id=study.community_id, community_title=study.community.title if study.community else "",
        topics=[topic.slug for topic in topics], topic_names=[topic.name for topic in topics],
    )


def published_date(page):
    """When a page first went live; a page made live in code and never published through a revision has no date of
    its own, so it takes its last revision's or now."""
    return page.first_published_at or page.latest_revision_created_at or timezone.now()


def community_document(community):
    if not community.live:
        return None
    topics = list(community.topics.all())
    access = Access.COMMUNITY if community.visibility == CommunityPage.Visibility.PRIVATE else Access.PUBLIC
    return SearchDocument(
        key=f"community:{community.pk}", kind="community", title=community.title,
        body=text_of(community.summary, plain(community.description)), url=community.url,
        access=access,
        date=community.last_activity_at or published_date(community),
        community_id=community.pk, community_title=community.title,
        topics=[topic.slug for topic in topics], topic_names=[topic.name for topic in topics],
    )


def profile_document(profile):
    if not profile.user.is_active:
        return None
    return SearchDocument(
        key=f"profile:{profile.pk}", kind="profile", title=profile.name,
        body=text_of(profile.job_title, profile.organisation, plain(profile.body_html)),
        url=profile.get_absolute_url(), access=Access.MEMBERS, date=profile.user.date_joined,
    )


def roundup_document(roundup):
    """A published roundup: its title, intro and words, with only the items everyone allowed to find it may read.

    The site-wide roundup is public, so it carries the text of items anyone may read; a community's roundup
    is as open as its community, so it may also carry that community's members-only items.
    """
    community = roundup.community
    if not roundup.live or roundup.get_view_restrictions().exists() or (community is not None and not community.live):
        return None
    audiences = {EVERYONE} if community is None else {EVERYONE, community.pk}
    words = [
        f"{entry.title}\n{entry.line}" if entry.is_item else entry.text
        for entry in resolve(roundup)
        if not entry.is_item or entry.audience in audiences
    ]
    topics = list(community.topics.all()) if community is not None else []
    month_start = datetime.combine(roundup.month, time.min, tzinfo=timezone.get_default_timezone())
    return SearchDocument(
        key=f"roundup:{roundup.pk}", kind="roundup", title=roundup.title,
        body=text_of(plain(roundup.intro), *words), url=roundup.url,
        access=Access.PUBLIC if community is None else community_access(community),
        date=roundup.first_published_at or month_start,
        community_id=community.pk if community else None, community_title=community.title if community else "",
        topics=[topic.slug for topic in topics], topic_names=[topic.name for topic in topics],
    )


def roundup_model():
    """Imported on first use: newsletters' models load the library's choosers, whose queries load this module."""
    from newsletters.models import RoundupPage

    return RoundupPage


@cache
def sources():
    """{kind: (queryset, build)} for every kind of document; each queryset loads what its build reads, so building
    many documents at once takes a few queries per chunk rather than several per document."""
    visible_posts = Prefetch("posts", Post.objects.filter(is_hidden=False, is_deleted=False).order_by("position")
                             .only("thread_id", "position", "body_html"), to_attr="visible_posts")
    return {
        "thread": (Thread.objects.select_related("community").prefetch_related(visible_posts, "community__topics"),
                   thread_document),
        "deck": (SlideDeck.objects.select_related("community").prefetch_related("topics"), deck_document),
        "case_study": (CaseStudyPage.objects.select_related("community").prefetch_related("topics"),
                       case_study_document),
        "community": (CommunityPage.objects.prefetch_related("topics"), community_document),
        "profile": (Profile.objects.select_related("user"), profile_document),
        "roundup": (roundup_model().objects.select_related("community").prefetch_related("community__topics"),
                    roundup_document),
    }


def all_documents(chunk_size=500):
    """Every document that should be searchable, built ``chunk_size`` objects at a time (rebuilds and checks)."""
    for kind, (queryset, build) in sources().items():
        pks = queryset.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=10 * chunk_size)
        while chunk := list(islice(pks, chunk_size)):
            for obj in queryset.filter(pk__in=chunk).order_by("pk"):
                if (document := build(obj)) is not None:
                    yield document


def document_for_key(key):
    """The current document for "<kind>:<pk>", or None when it no longer exists or must not be searchable."""
    kind, _, pk = key.partition(":")
    queryset, build = sources()[kind]
    obj = queryset.filter(pk=pk).first()
    return build(obj) if obj is not None else None


def roundup_keys(roundups):
    return [f"roundup:{pk}" for pk in roundups.values_list("pk", flat=True)]


def roundups_offering(key):
    """The roundups whose compile put this item in them, since its title and line are in their documents."""
    return roundup_keys(roundup_model().objects.filter(compiled_keys__has_key=key))


def keys_affected_by(obj):
    """The documents to refresh when `obj` changes (a post changes its thread; a community, all it holds)."""
    if isinstance(obj, Post):
        return [f"thread:{obj.thread_id}"]
    if isinstance(obj, Thread):
        return [f"thread:{obj.pk}", *roundups_offering(f"thread:{obj.pk}")]
    if isinstance(obj, SlideDeck):
        return [f"deck:{obj.pk}", *roundups_offering(f"deck:{obj.pk}")]
    if isinstance(obj, CaseStudyPage):
        return [f"case_study:{obj.pk}", *roundups_offering(f"case_study:{obj.pk}")]
    if isinstance(obj, Profile):
        return [f"profile:{obj.pk}"]
    if isinstance(obj, roundup_model()):
        return [f"roundup:{obj.pk}"]
    if isinstance(obj, CommunityPage):
        # Its roundups follow its visibility; the site-wide ones carry its items' words only while it is public.
        return [
            f"community:{obj.pk}",
            *(f"thread:{pk}" for pk in Thread.objects.filter(community=obj).values_list("pk", flat=True)),
            *(f"deck:{pk}" for pk in SlideDeck.objects.filter(community=obj).values_list("pk", flat=True)),
            *roundup_keys(roundup_model().objects.filter(Q(community=obj) | Q(community__isnull=True))),
        ]
    return []
