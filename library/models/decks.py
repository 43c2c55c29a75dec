from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.signals import setting_changed
from django.db import models
from django.db.models.functions import Coalesce, TruncDate
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty
from django.utils.text import slugify

from cop_site.models import RenderedMarkdown


class PrivateStorage(LazyObject):
    """Uploaded decks and their images live outside MEDIA_ROOT: only permission-checked views serve them."""

    def _setup(self):
        self._wrapped = FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


private_storage = PrivateStorage()


def get_private_storage():
    """Given to FileFields as a callable, so migrations record a reference rather than this machine's path."""
    return private_storage


@receiver(setting_changed)
def follow_private_media_root(setting, **kwargs):
    """Tests (and settings overrides) move PRIVATE_MEDIA_ROOT; the storage must follow."""
    if setting == "PRIVATE_MEDIA_ROOT":
        private_storage._wrapped = empty


class SlideDeck(RenderedMarkdown):
    """Slides someone presented and shared: the file, what was extracted from it, and who may see it."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        PPTX = "pptx", "PowerPoint"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be processed"
        PROCESSING = "processing", "Being processed"
        READY = "ready", "Ready"
        FAILED = "failed", "Processing failed"

    markdown_source_field = "description"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100)
    description = models.TextField(max_length=5000, blank=True, help_text="What the talk covered. Markdown works.")
    community = models.ForeignKey(
        "communities.CommunityPage", null=True, blank=True, on_delete=models.CASCADE, related_name="decks",
        help_text="Leave empty for the public library (facilitators and editors only).",
    )
    topics = models.ManyToManyField("library.Topic", blank=True, related_name="decks")
    event = models.CharField("Event", max_length=200, blank=True, help_text="Where it was presented.")
    presented_on = models.DateField("Date presented", null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="decks")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # The day the library lists it under (its date and year filter): the day presented, or failing that the day
    # shared, in the site's time zone (TIME_ZONE when the column was made). Kept by the database, so no write path,
    # bulk loads included, can miss it.
    listed_on = models.GeneratedField(
        expression=Coalesce("presented_on", TruncDate("created_at")),
        output_field=models.DateField(), db_persist=True,
    )

    file = models.FileField(storage=get_private_storage, upload_to="decks/%Y/%m/")
    original_filename = models.CharField(max_length=255)
    kind = models.CharField(max_length=4, choices=Kind.choices)
    file_size = models.PositiveBigIntegerField(default=0)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    processing_error = models.CharField(max_length=500, blank=True)
    processing_attempts = models.PositiveSmallIntegerField(default=0)
    processing_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    extracted_text = models.TextField(blank=True)
    thumbnail = models.ImageField(storage=get_private_storage, upload_to="deck-images/%Y/%m/", blank=True)

    download_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["community", "-created_at"]),
            # The library's listing reads only these columns: a year is a range of this index, and a listing without
            # one reads all of it, both without touching the wide rows.
            models.Index(
                fields=["listed_on", "id"], include=["community", "created_at", "title"], name="library_deck_listing_idx"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.slug = slugify(self.title)[:100] or "deck"
        super().save(*args, **kwargs)
        # The database has worked listed_on out again: forget the value loaded before, so that reading it reloads it.
        vars(self).pop("listed_on", None)

    def get_absolute_url(self):
        return f"/library/decks/{self.pk}-{self.slug}/"

    def get_download_url(self):
        return f"/library/decks/{self.pk}/download/"

    def get_thumbnail_url(self):
        return f"/library/decks/{self.pk}/thumbnail/" if self.thumbnail else ""


class SlideDeckPreview(models.Model):
    """A rendered image of one slide, shown on the deck's page."""

    deck = models.ForeignKey(SlideDeck, on_delete=models.CASCADE, related_name="previews")
    page_number = models.PositiveIntegerField()
    image = models.ImageField(storage=get_private_storage, upload_to="deck-images/%Y/%m/")

    class Meta:
        ordering = ["page_number"]
        constraints = [models.UniqueConstraint(fields=["deck", "page_number"], name="one_preview_per_page")]
