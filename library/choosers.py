"""The admin's slide-deck chooser (for roundup items): only decks the editing user may see."""

from cop_site.choosers import readable_chooser

from . import queries
from .models import SlideDeck


def _readable(user):
    return queries.readable_decks(user).select_related("community")


deck_chooser_viewset = readable_chooser(
    "deck_chooser", SlideDeck, _readable, icon="doc-full", noun="slide deck", ordering=["-created_at", "-pk"]
)
DeckChooserBlock = deck_chooser_viewset.get_block_class(name="DeckChooserBlock", module_path="library.choosers")
