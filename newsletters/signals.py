"""Publishing a roundup sends it: the first publish starts the sending once it has committed; later ones never do."""

from django.db import transaction
from django.dispatch import receiver
from wagtail.signals import page_published

from . import sending
from .models import RoundupPage


@receiver(page_published, sender=RoundupPage, dispatch_uid="newsletters_send_published_roundup")
def send_published_roundup(sender, instance, **kwargs):
    """Start sending after commit. ``begin`` stamps ``sending_started_at`` only once, whoever asks first.

    A publish scheduled for later (``go_live_at``) sends this signal with the page not yet live; Wagtail's
    ``publish_scheduled`` sends it again when the page goes live, and that is when the roundup goes out.
    robust=True: if the task queue is down the publish still stands, and ``sending.resume`` queues it later.
    """
    if instance.live and instance.sending_started_at is None:
        roundup_id = instance.pk
        transaction.on_commit(lambda: sending.begin(roundup_id), robust=True)
