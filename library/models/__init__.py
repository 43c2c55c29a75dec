from .case_studies import CaseStudyNotice, CaseStudyPage
from .decks import SlideDeck, SlideDeckPreview, private_storage
from .pages import LibraryIndexPage
from .topics import Topic

__all__ = ["LibraryIndexPage", "SlideDeck", "SlideDeckPreview", "Topic", "private_storage"]
