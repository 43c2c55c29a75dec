from django.conf import settings
from django.db import models


class FlagQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)


class Flag(models.Model):
    """A member's report that a post needs a facilitator's attention."""

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam or advertising"
        ABUSE = "abuse", "Rude, abusive or personal attack"
        OFF_TOPIC = "off_topic", "Off topic"
        PRIVACY = "privacy", "Shares personal or confidential information"
        OTHER = "other", "Something else"

    post = models.ForeignKey("communities.Post", on_delete=models.CASCADE, related_name="flags")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    note = models.TextField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=200, blank=True)

    objects = FlagQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "reporter"], condition=models.Q(resolved_at__isnull=True), name="one_open_flag_per_reporter"
            )
        ]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.post}"


class ModerationLog(models.Model):
    """Who did what to whom, and when: every moderation action leaves a line here."""

    class Action(models.TextChoices):
        PIN = "pin", "Pinned thread"
        UNPIN = "unpin", "Unpinned thread"
        LOCK = "lock", "Locked thread"
        UNLOCK = "unlock", "Unlocked thread"
        HIDE_THREAD = "hide_thread", "Hid thread"
        UNHIDE_THREAD = "unhide_thread", "Unhid thread"
        HIDE_POST = "hide_post", "Hid post"
        UNHIDE_POST = "unhide_post", "Unhid post"
        MOVE = "move", "Moved thread"
        REMOVE_MEMBER = "remove_member", "Removed member"
        APPROVE = "approve", "Approved join request"
        DECLINE = "decline", "Declined join request"
        RESOLVE_FLAG = "resolve_flag", "Resolved flag"

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=16, choices=Action.choices)
    community = models.ForeignKey("communities.CommunityPage", on_delete=models.CASCADE, related_name="moderation_log")
    thread = models.ForeignKey("communities.Thread", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    post = models.ForeignKey("communities.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    target_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.actor} {self.get_action_display().lower()} ({self.created_at:%Y-%m-%d %H:%M})"
