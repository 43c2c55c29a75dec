"""Background work for roundups: queueing a published roundup's deliveries, and sending them in batches.

Both are safe to run twice: queueing writes nothing once deliveries exist, and a batch sends only the
rows it manages to claim (see ``sending``).
"""

from django_tasks import task

from . import sending
from .models import RoundupPage


@task()
def queue_roundup(roundup_id):
    """Write one delivery per recipient of a roundup whose sending has begun, and hand them out in batches."""
    roundup = RoundupPage.objects.select_related("community").get(pk=roundup_id)
    return {"queued": sending.dispatch(roundup)}


@task()
def send_roundup_batch(roundup_id, delivery_ids):
    """Send up to ``sending.BATCH_SIZE`` deliveries of one roundup over one mail server connection."""
    outcome = sending.send_batch(roundup_id, delivery_ids)
    return {"sent": outcome.sent, "skipped": outcome.skipped, "failed": outcome.failed, "gave_up": outcome.gave_up}
