from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page

from cop_site.routing import RoutedPageMixin, delegate


class LibraryIndexPage(RoutedPageMixin, RoutablePageMixin, Page):
    """The resource library at /library/: shared slide decks and case studies, filterable."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["cop_site.HomePage"]
    subpage_types = ["library.CaseStudyPage"]
    max_count = 1

    # Routes hand the request to a view in library.views; case studies are this page's children.
    index_route = path("", name="index")(delegate("library.views.listing.library_index"))
    upload_route = path("decks/upload/", name="upload")(delegate("library.views.decks.upload"))
    deck_route = path("decks/<int:deck_id>-<slug:slug>/", name="deck")(delegate("library.views.decks.deck_detail"))
    download_route = path("decks/<int:deck_id>/download/", name="download")(delegate("library.views.decks.download"))
    thumbnail_route = path("decks/<int:deck_id>/thumbnail/", name="thumbnail")(delegate("library.views.decks.thumbnail"))
    preview_route = path("decks/<int:deck_id>/previews/<int:page_number>/", name="preview")(delegate("library.views.decks.preview"))
    retry_route = path("decks/<int:deck_id>/retry/", name="retry")(delegate("library.views.decks.retry"))
    submit_route = path("case-studies/submit/", name="submit_case_study")(delegate("library.views.case_studies.submit_case_study"))
    feed_route = path("feed/", name="feed")(delegate("library.views.listing.library_feed"))
