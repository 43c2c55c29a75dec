from django.conf import settings
from django.db import models
from django.db.models import Q


class Watch(models.Model):
    """A member following a thread, or a whole community's forum."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches")
    thread = models.ForeignKey("communities.Thread", null=True, blank=True, on_delete=models.CASCADE, related_name="watches")
    community = models.ForeignKey(
        "communities.CommunityPage", null=True, blank=True, on_delete=models.CASCADE, related_name="watches"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(thread__isnull=False, community__isnull=True) | Q(thread__isnull=True, community__isnull=False),
                name="watch_thread_or_community",
            ),
            models.UniqueConstraint(fields=["user", "thread"], name="one_watch_per_thread"),
            models.UniqueConstraint(fields=["user", "community"], name="one_watch_per_community"),
        ]


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def awaiting_email(self):
        return self.filter(emailed_at__isnull=True, email_skipped=False)


class Notification(models.Model):
    """Something a member should hear about. One row per recipient and event, so nobody is told twice."""

    class Kind(models.TextChoices):
        REPLY = "reply", "New reply in a thread you watch"
        NEW_THREAD = "new_thread", "New thread in a forum you watch"
        MENTION = "mention", "You were mentioned"
        QUOTE = "quote", "Your post was quoted"
        JOIN_APPROVED = "join_approved", "Your request to join was approved"
        JOIN_DECLINED = "join_declined", "Your request to join was declined"
        JOIN_REQUEST = "join_request", "Someone asked to join a community you facilitate"
        INVITATION = "invitation", "You were invited to a community"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    community = models.ForeignKey("communities.CommunityPage", on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("communities.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(
        "communities.Membership", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Set by the run that is emailing it, so no other run does; a claim left by a run that died is taken over.
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_skipped = models.BooleanField(default=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "post"], name="one_notification_per_post"),
            models.UniqueConstraint(fields=["recipient", "kind", "membership"], name="one_notification_per_decision"),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            # A member's latest notifications (the member home, the notifications page) without sorting them all.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notifications_newest_first"),
        ]
