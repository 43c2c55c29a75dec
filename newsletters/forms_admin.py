"""The compile form of the roundups admin: which stream (a community or the whole site) and which month."""

from django import forms

from .compile import CompileError, current_month, parse_month

SITE = "site"


class CompileForm(forms.Form):
    """Offers only the streams the user may compile; anything else asked for is refused by the view, not
    reported as a typo (see ``asks_for_another_stream``)."""

    community = forms.ChoiceField(label="Roundup of")
    month = forms.CharField(
        label="Month",
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "pattern": "[0-9]{4}-[0-9]{2}"}),
        help_text="A month that has started, for example 2026-10.",
    )

    def __init__(self, data=None, *, communities, site_wide=False, fill_defaults=False):
        """``fill_defaults``: what the data leaves out is the first stream offered and this month (a query string)."""
        super().__init__(data)
        self.communities = {str(community.pk): community for community in communities}
        choices = [(SITE, "Whole site")] * bool(site_wide) + [(pk, c.title) for pk, c in self.communities.items()]
        self.fields["community"].choices = choices
        if fill_defaults and data is not None:
            defaults = {"community": choices[0][0] if choices else "", "month": f"{current_month():%Y-%m}"}
            self.data = {**defaults, **data.dict()}

    def asks_for_another_stream(self):
        """Whether the data names a stream that isn't among this user's choices (another community's, or the
        whole site for a facilitator)."""
        asked = self.data.get("community") if self.is_bound else None
        return bool(asked) and asked not in {value for value, _ in self.fields["community"].choices}

    def clean_community(self):
        value = self.cleaned_data["community"]
        return None if value == SITE else self.communities[value]

    def clean_month(self):
        try:
            month = parse_month(self.cleaned_data["month"])
        except CompileError as error:
            raise forms.ValidationError(str(error)) from None
        if month > current_month():
            raise forms.ValidationError(f"{month:%B %Y} hasn't started yet: pick this month or an earlier one.")
        return month
