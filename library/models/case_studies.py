from django import forms
from django.conf import settings
from django.db import models
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cop_site.routing import RoutedPageMixin

from ..blocks import InterventionBlock, OutcomeBlock

RICH_TEXT_FEATURES = ["h3", "bold", "italic", "ol", "ul", "link"]


class CaseStudyAdminForm(WagtailAdminPageForm):
    """The admin form, without the community and related-content choosers for reviewers who edit no pages.

    Facilitators open a case study's editor only while it waits for their review (FacilitatorApprovalTask).
    Those choosers list every community's threads, decks and pages, private ones too, and changing the
    community would hand the review to other facilitators: they stay as they are, for editors to set.
    """

    EDITORS_ONLY_FIELDS = ("community", "related_decks", "related_threads")

    def __init__(self, *args, for_user=None, **kwargs):
        from communities.admin_access import edits_pages

        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is not None and not edits_pages(for_user):
            for name in self.EDITORS_ONLY_FIELDS:
                self.fields.pop(name, None)


class CaseStudyPage(RoutedPageMixin, Page):
    """What one organisation did about a performance problem, and what changed: written up for peers to reuse."""

    class OrganisationType(models.TextChoices):
        COUNTY = "county", "County council"
        DISTRICT = "district", "District council"
        UNITARY = "unitary", "Unitary authority"
        METROPOLITAN = "metropolitan", "Metropolitan borough"
        LONDON_BOROUGH = "london-borough", "London borough"
        FIRE = "fire", "Fire and rescue service"
        POLICE = "police", "Police force"
        HEALTH = "health", "Health body"
        OTHER = "other", "Other public body"

    class Region(models.TextChoices):
        NORTH_EAST = "north-east", "North East"
        NORTH_WEST = "north-west", "North West"
        YORKSHIRE = "yorkshire", "Yorkshire and the Humber"
        EAST_MIDLANDS = "east-midlands", "East Midlands"
        WEST_MIDLANDS = "west-midlands", "West Midlands"
        EAST = "east", "East of England"
        LONDON = "london", "London"
        SOUTH_EAST = "south-east", "South East"
        SOUTH_WEST = "south-west", "South West"
        WALES = "wales", "Wales"
        SCOTLAND = "scotland", "Scotland"
        NORTHERN_IRELAND = "northern-ireland", "Northern Ireland"

    organisation = models.CharField(max_length=200, help_text="The council or public body the case study is about.")
    organisation_type = models.CharField(max_length=20, choices=OrganisationType.choices)
    region = models.CharField(max_length=20, choices=Region.choices)
    topics = ParentalManyToManyField("library.Topic", related_name="case_studies")
    community = models.ForeignKey(
        "communities.CommunityPage", null=True, blank=True, on_delete=models.SET_NULL, related_name="case_studies",
        help_text="The community where this was discussed, if any.",
    )
    summary = models.TextField(max_length=500, help_text="Two or three sentences, shown on library cards.")
    challenge = RichTextField(features=RICH_TEXT_FEATURES, help_text="The problem, and how it showed in performance.")
    approach = RichTextField(features=RICH_TEXT_FEATURES, help_text="How the organisation went about it.")
    interventions = StreamField([("intervention", InterventionBlock())], blank=True)
    outcomes = StreamField([("outcome", OutcomeBlock())], blank=True)
    lessons = RichTextField(features=RICH_TEXT_FEATURES, blank=True, help_text="What others should copy, or avoid.")
    related_decks = ParentalManyToManyField("library.SlideDeck", blank=True, related_name="case_studies")
    related_threads = ParentalManyToManyField("communities.Thread", blank=True, related_name="case_studies")

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("organisation"), FieldPanel("organisation_type"), FieldPanel("region")], heading="Organisation"
        ),
        FieldPanel("summary"),
        FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
        FieldPanel("community"),
        FieldPanel("challenge"),
        FieldPanel("approach"),
        FieldPanel("interventions"),
        FieldPanel("outcomes"),
        FieldPanel("lessons"),
        MultiFieldPanel([FieldPanel("related_decks"), FieldPanel("related_threads")], heading="Related in the platform"),
    ]

    search_fields = Page.search_fields + [
        index.SearchField("organisation"),
        index.SearchField("summary"),
        index.SearchField("challenge"),
        index.SearchField("approach"),
        index.SearchField("interventions"),
        index.SearchField("outcomes"),
        index.SearchField("lessons"),
        index.AutocompleteField("organisation"),
        index.FilterField("organisation_type"),
        index.FilterField("region"),
        index.FilterField("community"),
        index.RelatedFields("topics", [index.SearchField("name"), index.FilterField("slug")]),
    ]

    base_form_class = CaseStudyAdminForm
    parent_page_types = ["library.LibraryIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "case study"
        verbose_name_plural = "case studies"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(self.related_for(request.user))
        context["library_url"] = self.get_parent().url
        context["site_root"] = request.build_absolute_uri("/").rstrip("/")  # full links when printed
        return context

    def related_for(self, user):
        """The community, decks and threads this viewer may see: private ones stay invisible to outsiders."""
        from communities.permissions import can_read_thread, can_see_community

        from ..permissions import can_view_deck

        community = self.community
        return {
            "community": community if community is not None and community.live and can_see_community(user, community) else None,
            "decks": [deck for deck in self.related_decks.select_related("community") if can_view_deck(user, deck)],
            "threads": [
                thread for thread in self.related_threads.select_related("community").order_by("-last_post_at")
                if can_read_thread(user, thread)
            ],
        }


class CaseStudyNotice(models.Model):
    """One email telling a member what happened to their case study; the unique key makes sending it once safe."""

    class Kind(models.TextChoices):
        APPROVED = "approved", "Published"
        REJECTED = "rejected", "Changes requested"

    page = models.ForeignKey(CaseStudyPage, on_delete=models.CASCADE, related_name="notices")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=100, unique=True, help_text="approved:<page id> or rejected:<task state id>.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.get_kind_display()}: {self.page} to {self.recipient}"
