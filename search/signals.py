"""Search listens to the content apps: any change that could alter what is searchable goes to the outbox."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.signals import page_published, page_unpublished

from communities.models import CommunityPage, Post, Profile, Thread
from library.models import CaseStudyPage, SlideDeck
from newsletters.models import RoundupPage

from . import service


def refresh(sender, instance, raw=False, **kwargs):
    if not raw:
        service.index(instance)


def refresh_deck_topics(sender, instance, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        service.index(instance)


def connect():
    for model in (Thread, Post, SlideDeck, Profile, CommunityPage, CaseStudyPage, RoundupPage):
        post_save.connect(refresh, sender=model, dispatch_uid=f"search-save-{model.__name__}")
        post_delete.connect(refresh, sender=model, dispatch_uid=f"search-delete-{model.__name__}")
    for model in (CommunityPage, CaseStudyPage, RoundupPage):
        page_published.connect(refresh, sender=model, dispatch_uid=f"search-publish-{model.__name__}")
        page_unpublished.connect(refresh, sender=model, dispatch_uid=f"search-unpublish-{model.__name__}")
    m2m_changed.connect(refresh_deck_topics, sender=SlideDeck.topics.through, dispatch_uid="search-deck-topics")
