from django import forms
from django.db import transaction
from django.utils.html import escape

from .emails import stream_name
from .models import Subscription
from .subscriptions import subscribe, unsubscribe

SITE_WIDE_HELP = "The busiest discussions, new slide decks and case studies from across the site, once a month."


class RoundupPreferencesForm(forms.Form):
    """One switch per roundup the member may take (``queries.preference_streams``): ticked means "email it to me"."""

    def __init__(self, streams, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.streams = streams
        for stream in streams:
            community = stream.community
            self.fields[stream.key] = forms.BooleanField(
                required=False, initial=stream.subscribed, label=f"The {stream_name(community)} roundup",
                # includes/form.html shows help text as HTML, and a summary is an editor's plain text.
                help_text=escape(community.summary) if community is not None else SITE_WIDE_HELP,
            )

    @transaction.atomic
    def save(self, user):
        """Subscribe to what was ticked and leave what was not, all or nothing; the names of the roundups now taken.

        Raises ``SubscriptionError`` (and changes nothing) if a roundup may no longer be taken.
        """
        for stream in self.streams:
            wanted = self.cleaned_data[stream.key]
            if wanted and not stream.subscribed:
                subscribe(user, stream.community, Subscription.Source.PREFERENCES)
            elif stream.subscribed and not wanted:
                unsubscribe(user, stream.community, Subscription.Source.PREFERENCES)
        return [stream_name(stream.community) for stream in self.streams if self.cleaned_data[stream.key]]
