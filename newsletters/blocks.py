"""The StreamField blocks a roundup is made of: headings, the facilitator's text, and items that point at content.

Compile fills these in; the facilitator reorders, removes or adds them in the Wagtail editor. Each item
carries a ``section`` so a re-compile knows where new items of the same kind belong.
"""

from wagtail import blocks

from communities.choosers import ThreadChooserBlock
from library.choosers import DeckChooserBlock


class Section:
    NEW_THREADS = "new_threads"
    BUSIEST = "busiest"
    DECKS = "decks"
    CASE_STUDIES = "case_studies"
    LATE = "late"

    HEADINGS = {
        NEW_THREADS: "New discussions",
        BUSIEST: "Busiest discussions",
        DECKS: "New slide decks",
        CASE_STUDIES: "New case studies",
        LATE: "Late entries from last month",
    }
    ORDER = [BUSIEST, NEW_THREADS, DECKS, CASE_STUDIES, LATE]
    CHOICES = list(HEADINGS.items())


class ItemBlock(blocks.StructBlock):
    section = blocks.ChoiceBlock(choices=Section.CHOICES, help_text="Which part of the roundup this belongs to.")
    line = blocks.TextBlock(required=False, help_text="A line about it. Compile fills this in; edit freely.")


class ThreadItemBlock(ItemBlock):
    thread = ThreadChooserBlock()
    replies = blocks.IntegerBlock(required=False, min_value=0, help_text="Replies during the month.")

    class Meta:
        icon = "comment"
        label = "Discussion"
        template = "newsletters/blocks/thread_item.html"


class DeckItemBlock(ItemBlock):
    deck = DeckChooserBlock()

    class Meta:
        icon = "doc-full"
        label = "Slide deck"
        template = "newsletters/blocks/deck_item.html"


class CaseStudyItemBlock(ItemBlock):
    case_study = blocks.PageChooserBlock(page_type="library.CaseStudyPage")

    class Meta:
        icon = "doc-full-inverse"
        label = "Case study"
        template = "newsletters/blocks/case_study_item.html"


class RoundupBodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(max_length=120, icon="title", template="newsletters/blocks/heading.html")
    text = blocks.RichTextBlock(features=["bold", "italic", "link", "ol", "ul"], icon="pilcrow")
    thread = ThreadItemBlock()
    deck = DeckItemBlock()
    case_study = CaseStudyItemBlock()
