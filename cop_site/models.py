from django.db import models
from django.utils.safestring import mark_safe
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from cop_site.markup import MARKUP_VERSION, render_markdown
from cop_site.routing import SiteRootMixin


class RenderedMarkdown(models.Model):
    """Caches the HTML of one Markdown field on the row, re-rendered when the markup rules change."""

    markdown_source_field = "body"

    body_html = models.TextField(blank=True, editable=False)
    body_html_version = models.CharField(max_length=20, blank=True, editable=False)

    class Meta:
        abstract = True

    def refresh_body_html(self):
        self.body_html = render_markdown(getattr(self, self.markdown_source_field))
        self.body_html_version = str(MARKUP_VERSION)

    def save(self, *args, **kwargs):
        self.refresh_body_html()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "body_html", "body_html_version"}
        super().save(*args, **kwargs)

    @property
    def rendered(self):
        if self.body_html_version != str(MARKUP_VERSION):
            return render_markdown(getattr(self, self.markdown_source_field))
        return mark_safe(self.body_html)  # noqa: S308 - produced by render_markdown on save


class HomePage(SiteRootMixin, Page):
    """The landing page: what the platform is for, and a way into its communities."""

    strapline = models.CharField(max_length=200, blank=True)
    intro = RichTextField(blank=True, features=["bold", "italic", "link"])
    body = RichTextField(blank=True, features=["h2", "h3", "bold", "italic", "link", "ol", "ul"])

    content_panels = Page.content_panels + [
        FieldPanel("strapline"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]

    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    def get_context(self, request, *args, **kwargs):
        from communities.queries import featured_communities

        context = super().get_context(request, *args, **kwargs)
        context["communities"] = featured_communities(request.user)
        return context
