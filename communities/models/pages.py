from django.conf import settings
from django.db import models
from django.urls import reverse
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from cop_site.models import RenderedMarkdown

from .validators import validate_avatar


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
    avatar = models.ImageField(
        upload_to="avatars/%Y/%m/", blank=True, validators=[validate_avatar],
        help_text="A square picture works best: PNG, JPEG, GIF or WebP, up to 2 MB.",
    )

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.display_name or self.user.get_username()

    def get_absolute_url(self):
        return reverse("profile_detail", args=[self.user.get_username()])


class CommunityIndexPage(Page):
    """Lists the communities people can find and join."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["cop_site.HomePage"]
    subpage_types = ["communities.CommunityPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from .queries import listed_communities

        context = super().get_context(request, *args, **kwargs)
        context["communities"] = listed_communities(request.user)
        return context


class CommunityPage(Page):
    """A community of practice: its purpose, and later its forum, members and library share."""

    summary = models.CharField(max_length=250, help_text="One or two sentences shown in listings.")
    description = RichTextField(blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("description"),
    ]

    parent_page_types = ["communities.CommunityIndexPage"]
    subpage_types = []
