"""Subscribing and unsubscribing, with consent on record, and the signed tokens of the unsubscribe links."""

from django.core import signing
from django.db import transaction
from django.utils import timezone

from .models import Subscription
from .permissions import can_subscribe

Source = Subscription.Source
UNSUBSCRIBE_SALT = "newsletters.unsubscribe"


class SubscriptionError(Exception):
    """Raised with a message for the member when a subscription change is not allowed."""


def _stream(community):
    return {"community": community} if community is not None else {"community__isnull": True}


def subscription(user, community):
    return Subscription.objects.filter(user=user, **_stream(community)).first()


def is_subscribed(user, community):
    return Subscription.objects.filter(user=user, is_active=True, **_stream(community)).exists()


@transaction.atomic
def subscribe(user, community, source):
    """Record the member's yes (now, and where they said it). Idempotent."""
    if not can_subscribe(user, community):
        raise SubscriptionError("You can't subscribe to that roundup.")
    found, _ = Subscription.objects.select_for_update().get_or_create(user=user, **_stream(community), defaults={
        "community": community, "is_active": False,
    })
    if not found.is_active:
        found.is_active = True
        found.consented_at = timezone.now()
        found.consent_source = source
        found.save(update_fields=["is_active", "consented_at", "consent_source"])
    return found


@transaction.atomic
def unsubscribe(user, community, source):
    """Record the member's no. Idempotent; the row stays as the consent record."""
    found = Subscription.objects.select_for_update().filter(user=user, **_stream(community)).first()
    if found is not None and found.is_active:
        found.is_active = False
        found.unsubscribed_at = timezone.now()
        found.unsubscribe_source = source
        found.save(update_fields=["is_active", "unsubscribed_at", "unsubscribe_source"])
    return found


def unsubscribe_token(user, community):
    """A signed, never-expiring token naming one member and one roundup: the one-click unsubscribe link."""
    return signing.dumps([user.pk, community.pk if community is not None else 0], salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token):
    """(user_id, community_id or None); raises signing.BadSignature for anything forged or mangled."""
    user_id, community_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(user_id, int) or not isinstance(community_id, int):
        raise signing.BadSignature("Malformed unsubscribe token.")
    return user_id, community_id or None
