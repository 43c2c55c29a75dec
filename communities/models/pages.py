from django import forms
from django.db import models
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page

from cop_site.routing import RoutedPageMixin, delegate
from wagtail.search import index


class CommunityIndexPage(RoutedPageMixin, Page):
    """Lists the communities people can find and join."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["cop_site.HomePage"]
    subpage_types = ["communities.CommunityPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from ..queries import community_listing

        context = super().get_context(request, *args, **kwargs)
        context["communities"] = community_listing(request.user)
        return context


class CommunityPage(RoutedPageMixin, RoutablePageMixin, Page):
    """A community of practice: its purpose, members, forum and share of the library."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public: anyone can read the discussions"
        MEMBERS = "members", "Members only: the page is listed, discussions are for members"
        PRIVATE = "private", "Private: invisible to non-members; joining by invitation"

    class JoinPolicy(models.TextChoices):
        OPEN = "open", "Open: anyone signed in joins at once"
        APPROVAL = "approval", "Approval: a facilitator approves each request"

    summary = models.CharField(max_length=250, help_text="One or two sentences shown in listings.")
    description = RichTextField(blank=True)
    topics = ParentalManyToManyField("library.Topic", blank=True, related_name="communities")
    image = models.ForeignKey("wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    visibility = models.CharField(max_length=8, choices=Visibility.choices, default=Visibility.PUBLIC)
    join_policy = models.CharField(max_length=8, choices=JoinPolicy.choices, default=JoinPolicy.OPEN)
    member_count = models.PositiveIntegerField(default=0, editable=False)
    thread_count = models.PositiveIntegerField(default=0, editable=False)
    last_activity_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        # The home page's most active communities: the first few read in order from an index, not all sorted.
        indexes = [models.Index(fields=["-last_activity_at"], name="communities_by_activity")]

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("description"),
        FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
        FieldPanel("image"),
        MultiFieldPanel([FieldPanel("visibility"), FieldPanel("join_policy")], heading="Access"),
    ]

    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("description")]

    parent_page_types = ["communities.CommunityIndexPage"]
    subpage_types = []

    @property
    def visibility_label(self):
        return {"public": "Public", "members": "Members only", "private": "Private"}[self.visibility]

    @property
    def is_public(self):
        return self.visibility == self.Visibility.PUBLIC

    @property
    def is_private(self):
        return self.visibility == self.Visibility.PRIVATE

    # Routes hand the request to a view in communities.views; names are used with reverse_subpage().
    community_home = path("", name="community_home")(delegate("communities.views.community.community_home"))
    join = path("join/", name="join")(delegate("communities.views.community.join"))
    leave = path("leave/", name="leave")(delegate("communities.views.community.leave"))
    library = path("library/", name="library")(delegate("communities.views.community.library"))
    members = path("members/", name="members")(delegate("communities.views.community.members"))
    join_requests = path("requests/", name="join_requests")(delegate("communities.views.community.join_requests"))
    forum = path("forum/", name="forum")(delegate("communities.views.forum.thread_list"))
    new_thread = path("forum/new/", name="new_thread")(delegate("communities.views.forum.new_thread"))
    watch_forum = path("forum/watch/", name="watch_forum")(delegate("communities.views.forum.watch_forum"))
    thread = path("forum/<int:thread_id>-<slug:slug>/", name="thread")(delegate("communities.views.forum.thread_detail"))
    thread_action = path("forum/<int:thread_id>/<slug:action>/", name="thread_action")(delegate("communities.views.forum.thread_action"))
    post_permalink = path("forum/posts/<int:post_id>/", name="post_permalink")(delegate("communities.views.forum.post_permalink"))
    post_action = path("forum/posts/<int:post_id>/<slug:action>/", name="post_action")(delegate("communities.views.forum.post_action"))
    flag_queue = path("flags/", name="flag_queue")(delegate("communities.views.moderation.flag_queue"))
    # Not "moderation_log": that is ModerationLog.community's related_name, which would replace this route.
    moderation_log_route = path("log/", name="moderation_log")(delegate("communities.views.moderation.moderation_log"))
    dashboard = path("dashboard/", name="dashboard")(delegate("communities.views.dashboard.dashboard"))
    feed = path("feed/", name="feed")(delegate("communities.views.community.feed"))
