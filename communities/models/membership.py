from django.conf import settings
from django.db import models


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Membership.Status.ACTIVE)

    def pending(self):
        return self.filter(status=Membership.Status.PENDING)

    def facilitators(self):
        return self.active().filter(role=Membership.Role.FACILITATOR)


class Membership(models.Model):
    """A person's place in one community: a request, an invitation, or membership with a role."""

    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        FACILITATOR = "facilitator", "Facilitator"

    class Status(models.TextChoices):
        PENDING = "pending", "Asked to join"
        INVITED = "invited", "Invited"
        ACTIVE = "active", "Member"
        DECLINED = "declined", "Request declined"
        REMOVED = "removed", "Removed by a facilitator"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    community = models.ForeignKey("communities.CommunityPage", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    request_message = models.TextField("Why would you like to join?", max_length=1000, blank=True)
    decision_message = models.TextField(max_length=1000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "community"], name="one_membership_per_community")]
        indexes = [models.Index(fields=["community", "status", "role"])]

    def __str__(self):
        return f"{self.user} in {self.community} ({self.get_status_display()})"

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE

    @property
    def is_facilitator(self):
        return self.is_active and self.role == self.Role.FACILITATOR
