"""The pages every site needs: the home page and the sections the navigation points at."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from communities.models import CommunityIndexPage
from library.models import LibraryIndexPage
from library.workflows import assign_case_study_workflow
from newsletters.models import NewsletterIndexPage

from .models import HomePage

SECTIONS = [
    (
        CommunityIndexPage,
        "communities",
        "Communities",
        "<p>Groups of practitioners working on the same problems. Public communities are open to read; "
        "join one to take part in its discussions.</p>",
    ),
    (
        LibraryIndexPage,
        "library",
        "Resource library",
        "<p>Slide decks from workshops and conferences, and case studies of what worked, shared by members.</p>",
    ),
    (
        NewsletterIndexPage,
        "newsletters",
        "Newsletters",
        "<p>Monthly roundups of the best discussions and resources from each community.</p>",
    ),
]

HOME_STRAPLINE = "Where public-sector practitioners share what works"
HOME_INTRO = (
    "<p>Communities of practice for people who run performance management, contact centres, "
    "customer insight and scrutiny in local government: ask how others do it, share your slides, "
    "and write up what worked.</p>"
)


def create_tree_root():
    """The root node and default locale Wagtail's migrations create, for a database that has been flushed."""
    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    return Page.add_root(instance=Page(title="Root", slug="root"))


@transaction.atomic
def ensure_site_structure(hostname="127.0.0.1", port=8000):
    """Create the home page and section pages if missing, and give the library its case-study workflow if it has
    none of its own; existing pages are left as editors made them."""
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node() or create_tree_root()
        # Wagtail's installer leaves a plain "Welcome" page at the root; ours takes its place and its site.
        root.get_children().filter(content_type=ContentType.objects.get_for_model(Page)).delete()
        home = root.add_child(instance=HomePage(title="Home", slug="home", strapline=HOME_STRAPLINE, intro=HOME_INTRO))
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={"hostname": hostname, "port": port, "root_page": home, "site_name": "Practice Exchange"},
        )
    for model, slug, title, intro in SECTIONS:
        if not model.objects.exists():
            home.add_child(instance=model(title=title, slug=slug, intro=intro))
    # Members' case studies go to the library's review workflow (facilitators or editors approve), unless
    # editors have given the library a workflow of its own.
    for library in LibraryIndexPage.objects.all():
        assign_case_study_workflow(library)
    return home
