from django.conf import settings
from django.db import models
from django.db.models import Q


class Subscription(models.Model):
    """A member's choice about one roundup: the site-wide one (no community) or a community's.

    The row is kept when someone unsubscribes, so consent (when, and how it was given) stays on record.
    """

    class Source(models.TextChoices):
        SIGNUP = "signup", "Signing up"
        JOIN = "join", "Joining the community"
        PREFERENCES = "preferences", "Email preferences page"
        UNSUBSCRIBE_LINK = "unsubscribe_link", "Unsubscribe link in an email"
        ONE_CLICK = "one_click", "One-click unsubscribe from the mail program"
        ADMIN = "admin", "An administrator"
        DEMO = "demo", "Demo content"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roundup_subscriptions")
    community = models.ForeignKey(
        "communities.CommunityPage", null=True, blank=True, on_delete=models.CASCADE, related_name="roundup_subscriptions"
    )
    is_active = models.BooleanField(default=True)
    consented_at = models.DateTimeField(null=True, blank=True, help_text="When the member last said yes.")
    consent_source = models.CharField(max_length=20, choices=Source.choices, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    unsubscribe_source = models.CharField(max_length=20, choices=Source.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "community"], condition=Q(community__isnull=False),
                                    name="one_subscription_per_community"),
            models.UniqueConstraint(fields=["user"], condition=Q(community__isnull=True),
                                    name="one_site_subscription"),
        ]
        indexes = [models.Index(fields=["community", "is_active"])]

    def __str__(self):
        state = "subscribed to" if self.is_active else "unsubscribed from"
        return f"{self.user} {state} the {self.community or 'site-wide'} roundup"


class Delivery(models.Model):
    """One roundup's email to one member: the ledger that makes sending resumable and exactly-once.

    A sender *claims* a row (queued or due for retry -> sending) before talking to the mail server, and
    marks it sent straight after. A crash leaves at most the row in flight as "sending"; it is retried
    only once its claim is older than the claim timeout.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed, will retry"
        GAVE_UP = "gave_up", "Failed, gave up"
        SKIPPED = "skipped", "Skipped (no longer subscribed or allowed)"

    roundup = models.ForeignKey("newsletters.RoundupPage", on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roundup_deliveries")
    email = models.EmailField(help_text="The address it was (or will be) sent to.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [models.UniqueConstraint(fields=["roundup", "user"], name="one_delivery_per_member")]
        indexes = [models.Index(fields=["roundup", "status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.roundup} to {self.email}: {self.get_status_display()}"
