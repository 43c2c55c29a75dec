"""Sharing a deck: the form members fill in, checked by content, and the save that queues its processing."""

import os

from django import forms
from django.conf import settings
from django.db import transaction

from cop_site.params import IdMultipleChoiceField

from .models import SlideDeck, Topic
from .permissions import can_share_in_public_library, upload_communities
from .tasks import enqueue_processing
from .validation import human_size, inspect_deck_upload

PUBLIC_LIBRARY = ""


class DeckUploadForm(forms.ModelForm):
    where = forms.ChoiceField(label="Share with")
    file = forms.FileField(label="Slides (PDF or PowerPoint .pptx)")
    topics = IdMultipleChoiceField(Topic.objects.all(), required=False, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = SlideDeck
        fields = ["title", "description", "topics", "event", "presented_on"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5}), "presented_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.communities = {str(c.pk): c for c in upload_communities(user)}
        choices = [(pk, community.title) for pk, community in self.communities.items()]
        if can_share_in_public_library(user):
            choices.insert(0, (PUBLIC_LIBRARY, "The public library (everyone can see it)"))
        self.fields["where"].choices = choices
        self.fields["file"].help_text = f"Up to {human_size(settings.DECK_MAX_BYTES)}. Thumbnails and previews appear shortly after."

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.kind = inspect_deck_upload(upload)
        return upload

    @transaction.atomic
    def save(self, commit=True):
        deck = super().save(commit=False)
        upload = self.cleaned_data["file"]
        deck.community = self.communities.get(self.cleaned_data["where"])
        deck.uploaded_by = self.user
        deck.kind = self.kind
        deck.original_filename = os.path.basename(upload.name)[:255]
        deck.file_size = upload.size
        deck.file = upload
        deck.save()
        self.save_m2m()
        enqueue_processing(deck)
        return deck
