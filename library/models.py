from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class LibraryIndexPage(Page):
    """The resource library at /library/: shared slide decks and case studies."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["cop_site.HomePage"]
    max_count = 1
