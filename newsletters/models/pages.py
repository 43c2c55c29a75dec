from django.db import models
from django.db.models import Q
from django.utils.dateformat import format as format_date
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, PagePermissionTester

from cop_site.routing import RoutedPageMixin, delegate

from ..blocks import RoundupBodyBlock


class NewsletterIndexPage(RoutedPageMixin, RoutablePageMixin, Page):
    """The archive of monthly roundups at /newsletters/, by month and community, with an RSS feed."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["cop_site.HomePage"]
    subpage_types = ["newsletters.RoundupPage"]
    max_count = 1

    archive = path("", name="archive")(delegate("newsletters.views.archive.archive"))
    feed = path("feed/", name="feed")(delegate("newsletters.views.archive.feed"))


class RoundupPermissionTester(PagePermissionTester):
    """A community's facilitators may edit and publish (that is, send) its roundups, and nothing more."""

    def __init__(self, user, page):
        super().__init__(user, page)
        if user.is_active and not user.is_superuser and page.specific_class is RoundupPage:
            from ..permissions import can_compile

            community = page.specific_deferred.community
            if community is not None and can_compile(user, community):
                self.permissions = self.permissions | {"change", "publish"}
                self.granted_by_facilitation = True

    granted_by_facilitation = False

    def can_delete(self, ignore_bulk=False):
        return not self.granted_by_facilitation and super().can_delete(ignore_bulk)

    def can_copy(self):
        return not self.granted_by_facilitation and super().can_copy()

    def can_set_view_restrictions(self):
        return not self.granted_by_facilitation and super().can_set_view_restrictions()

    def can_reorder_children(self):
        return not self.granted_by_facilitation and super().can_reorder_children()


class RoundupPage(RoutedPageMixin, Page):
    """One month's roundup of a community (or of the whole site when ``community`` is empty).

    ``compile_roundup`` creates and updates it as a draft; publishing it sends it to the subscribers.
    The intro and the body belong to the facilitator once compiled: a re-compile only adds new items.
    """

    community = models.ForeignKey(
        "communities.CommunityPage", null=True, blank=True, on_delete=models.PROTECT, related_name="roundups",
        help_text="Empty for the site-wide roundup.",
    )
    month = models.DateField(help_text="The first day of the month this roundup covers.")
    intro = RichTextField(blank=True, features=["bold", "italic", "link", "ol", "ul"],
                          help_text="Your introduction: what stood out this month.")
    body = StreamField(RoundupBodyBlock(), blank=True)
    figures = models.JSONField(default=dict, blank=True, editable=False,
                               help_text="Key figures for the month, refreshed by each compile.")
    compiled_at = models.DateTimeField(null=True, blank=True, editable=False)
    compiled_keys = models.JSONField(default=dict, blank=True, editable=False,
                                     help_text="{item key: section} of everything compile has offered, so it never re-adds what was removed.")
    sending_started_at = models.DateTimeField(null=True, blank=True, editable=False)

    content_panels = Page.content_panels + [
        MultiFieldPanel([FieldPanel("community", read_only=True), FieldPanel("month", read_only=True)], heading="Roundup"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]

    parent_page_types = ["newsletters.NewsletterIndexPage"]
    subpage_types = []

    preview_modes = [("", "Web page"), ("email_html", "Email (HTML)"), ("email_text", "Email (plain text)")]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "month"], condition=Q(community__isnull=False),
                                    name="one_roundup_per_community_month"),
            models.UniqueConstraint(fields=["month"], condition=Q(community__isnull=True),
                                    name="one_site_roundup_per_month"),
        ]

    @property
    def month_label(self):
        return format_date(self.month, "F Y")

    @property
    def stream_label(self):
        return self.community.title if self.community_id else "Site-wide"

    def with_content_json(self, content):
        """A revision never carries whether sending has begun: publishing an older one must not reset it."""
        obj = super().with_content_json(content)
        obj.sending_started_at = self.sending_started_at
        return obj

    def permissions_for_user(self, user):
        return RoundupPermissionTester(user, self)

    def serve(self, request, *args, **kwargs):
        from ..views.roundup import serve_roundup

        return serve_roundup(request, self)

    def serve_preview(self, request, mode_name):
        from ..views.preview import preview_roundup

        return preview_roundup(request, self, mode_name)

    def get_sitemap_urls(self, request=None):
        from ..permissions import is_public_roundup

        return super().get_sitemap_urls(request) if is_public_roundup(self) else []
