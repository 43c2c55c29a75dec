from django.conf import settings
from django.db import models
from django.urls import reverse

from cop_site.models import RenderedMarkdown

from ..validators import avatar_path, validate_avatar


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

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.display_name or self.user.get_username()

    def get_absolute_url(self):
        return reverse("profile_detail", args=[self.user.get_username()])
