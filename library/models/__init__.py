from .case_studies import CaseStudyNotice, CaseStudyPage
from .decks import SlideDeck, SlideDeckPreview, private_storage
from .pages import LibraryIndexPage
from .topics import Topic
from .workflow import FacilitatorApprovalTask

__all__ = ["FacilitatorApprovalTask", "LibraryIndexPage", "SlideDeck", "SlideDeckPreview", "Topic", "private_storage"]
