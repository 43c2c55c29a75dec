from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import SlideDeck, Topic


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    menu_label = "Topics"
    list_display = ["name", "slug", "description"]
    search_fields = ["name"]


class SlideDeckViewSet(ModelViewSet):
    """Editors find, correct and remove shared decks; files are replaced by re-uploading on the site."""

    model = SlideDeck
    icon = "doc-full"
    menu_label = "Slide decks"
    url_prefix = "library/decks"
    add_to_admin_menu = True
    add_to_reference_index = False
    list_display = ["title", "community", "uploaded_by", "status", "download_count", "created_at"]
    list_filter = ["status", "kind", "community"]
    search_fields = ["title", "event", "original_filename"]
    form_fields = ["title", "description", "community", "topics", "event", "presented_on"]
    inspect_view_enabled = True
    create_view_enabled = False


register_snippet(TopicViewSet)


@hooks.register("register_admin_viewset")
def register_slide_decks():
    return SlideDeckViewSet("slide_decks")


@hooks.register("register_admin_viewset")
def register_deck_chooser():
    from .choosers import deck_chooser_viewset

    return deck_chooser_viewset
