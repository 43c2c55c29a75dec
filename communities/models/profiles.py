from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse

from cop_site.models import RenderedMarkdown

from ..validators import avatar_path, validate_avatar

# A look at the member home within this long of the previous one belongs to the same visit.
HOME_VISIT_GAP = timedelta(minutes=30)
# What a member's first visit to their home shows as new.
HOME_FIRST_VISIT_WINDOW = timedelta(days=14)


class Profile(RenderedMarkdown):
    """What a member tells others about themself; the bio is Markdown."""

    markdown_source_field = "bio"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(max_length=80, blank=True)
    organisation = models.CharField(max_length=120, blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    bio = models.TextField(
        max_length=2000, blank=True, help_text="A few lines about your work. Markdown is supported."
    )
    class EmailFrequency(models.TextChoices):
        IMMEDIATELY = "immediately", "As it happens"
        DAILY = "daily", "A daily digest"
        NEVER = "never", "Never: I'll check the site"

    email_frequency = models.CharField(
        "Email me about replies, mentions and approvals",
        max_length=12, choices=EmailFrequency.choices, default=EmailFrequency.IMMEDIATELY,
    )
    avatar = models.ImageField(
        upload_to=avatar_path, blank=True, validators=[validate_avatar],
        help_text="A square picture works best: PNG, JPEG, GIF or WebP, up to 2 MB.",
    )
    home_seen_at = models.DateTimeField(null=True, blank=True, editable=False, help_text="When they last looked at /my/.")
    home_new_since = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="Their home shows what arrived after this: their previous visit, or when they marked all as seen.",
    )

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.display_name or self.user.get_username()

    def get_absolute_url(self):
        return reverse("profile_detail", args=[self.user.get_username()])

    @property
    def is_first_home_visit(self):
        return self.home_new_since is None

    def visit_home(self, now):
        """Record a look at the member home; return the moment from which it shows things as new.

        A look after a break of more than HOME_VISIT_GAP starts a new visit, which shows what arrived since the
        previous one. Looking again within the break (a reload, coming back from a thread) keeps the same moment,
        so nothing vanishes mid-visit. Until there is a previous visit, the last HOME_FIRST_VISIT_WINDOW shows.
        """
        if self.home_seen_at is not None and now - self.home_seen_at > HOME_VISIT_GAP:
            self.home_new_since = self.home_seen_at
        self.home_seen_at = now
        self._save_home_marks()
        return self.home_new_since or now - HOME_FIRST_VISIT_WINDOW

    def mark_home_seen(self, now):
        """Everything that arrived until now counts as seen."""
        self.home_seen_at = self.home_new_since = now
        self._save_home_marks()

    def _save_home_marks(self):
        # An update, not save(): nothing else on the profile changes, and its bio needs no re-rendering.
        Profile.objects.filter(pk=self.pk).update(home_seen_at=self.home_seen_at, home_new_since=self.home_new_since)
