"""The members' case-study form: plain text in, the page's fields out (see ``submissions``)."""

import re
import uuid

from django import forms
from django.forms import formset_factory

from communities.models import CommunityPage
from communities.permissions import memberships
from cop_site.params import IdChoiceField, IdMultipleChoiceField

from .models import CaseStudyPage, Topic

INTERVENTION_ROWS = 3
OUTCOME_ROWS = 3
LONG_TEXT = 10_000
ROW_TEXT = 1_000


def long_text(label, help_text, required=True, rows=8, max_length=LONG_TEXT):
    return forms.CharField(
        label=label, help_text=help_text, required=required, max_length=max_length, strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class CaseStudySubmissionForm(forms.Form):
    """Everything a case study needs; the intervention and outcome rows are formsets held by the form."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(
        max_length=150, min_length=5, strip=True,
        help_text="What changed, in a few words. For example: Turning round a struggling contact centre in a year.",
    )
    summary = long_text(
        "Summary", "Two or three sentences for the library listing. At most 500 characters.", rows=3, max_length=500
    )
    organisation = forms.CharField(max_length=200, strip=True, help_text="The council or public body it is about.")
    organisation_type = forms.ChoiceField(label="Type of organisation", choices=[("", "Choose one")] + CaseStudyPage.OrganisationType.choices)
    region = forms.ChoiceField(choices=[("", "Choose one")] + CaseStudyPage.Region.choices)
    topics = IdMultipleChoiceField(
        queryset=Topic.objects.all(), widget=forms.CheckboxSelectMultiple, help_text="Choose at least one.",
        error_messages={"required": "Choose at least one topic."},
    )
    community = IdChoiceField(
        queryset=CommunityPage.objects.none(), required=False, empty_label="None",
        label="Community where it was discussed",
        help_text="Only communities you belong to. The case study itself is public once an editor publishes it.",
    )
    challenge = long_text("The challenge", "What was wrong, and how it showed in performance. Leave a blank line between paragraphs.")
    approach = long_text("The approach", "How you went about it: who was involved, what you tried first.")
    lessons = long_text("Lessons for others", "What you would do again, and what you would avoid.", required=False, rows=6)

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        active = [community_id for community_id, membership in memberships(user).items() if membership.is_active]
        self.fields["community"].queryset = CommunityPage.objects.live().filter(pk__in=active).order_by("title")
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4())
        self.interventions = InterventionFormSet(data, prefix="interventions")
        self.outcomes = OutcomeFormSet(data, prefix="outcomes")

    def clean_title(self):
        # The title becomes the page's title and the subject of the reviewers' and the member's emails: one line.
        return " ".join(self.cleaned_data["title"].split())

    def is_valid(self):
        # Every part is validated, so all the errors show at once.
        return all([super().is_valid(), self.interventions.is_valid(), self.outcomes.is_valid()])

    @property
    def rows_have_errors(self):
        return self.is_bound and not (self.interventions.is_valid() and self.outcomes.is_valid())

    def filled_rows(self, formset):
        return [row.cleaned_data for row in formset if row.has_changed() and row.cleaned_data]

    @property
    def intervention_rows(self):
        return self.filled_rows(self.interventions)

    @property
    def outcome_rows(self):
        return self.filled_rows(self.outcomes)


class NumberField(forms.DecimalField):
    """Accepts figures the way people type them: 1,250 or 62.5% or £3.20."""

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[,\s%£]", "", value)
        return super().to_python(value)


class InterventionForm(forms.Form):
    intervention = long_text("Intervention", "What was done.", rows=3, max_length=ROW_TEXT)
    by_when = forms.CharField(label="By when", max_length=200, help_text="For example: by the end of September.")
    by_whom = forms.CharField(label="By whom", max_length=200, help_text="A role or team, not a person's name.")
    resource_implications = long_text("Resource implications", "", required=False, rows=2, max_length=ROW_TEXT)
    main_risk = long_text("Most significant risk", "", required=False, rows=2, max_length=ROW_TEXT)
    contingency = long_text("Contingency for that risk", "", required=False, rows=2, max_length=ROW_TEXT)
    monitoring = long_text("How it is monitored", "", required=False, rows=2, max_length=ROW_TEXT)
    expected_outcome = long_text("Expected outcome", "", required=False, rows=2, max_length=ROW_TEXT)


class OutcomeForm(forms.Form):
    metric = forms.CharField(label="Measure", max_length=200, help_text="For example: calls answered within 60 seconds.")
    before = NumberField(max_digits=14, decimal_places=2, help_text="A number, before the work.")
    after = NumberField(max_digits=14, decimal_places=2, help_text="The same measure afterwards.")
    unit = forms.CharField(max_length=40, required=False, help_text="For example: %, seconds. Empty for a count.")
    period = forms.CharField(max_length=120, required=False, help_text="For example: Q1 2023 to Q1 2024.")


# absolute_max: a tampered TOTAL_FORMS never builds more rows than the page shows.
InterventionFormSet = formset_factory(
    InterventionForm, extra=INTERVENTION_ROWS - 1, min_num=1, validate_min=True,
    max_num=INTERVENTION_ROWS, validate_max=True, absolute_max=INTERVENTION_ROWS,
)
OutcomeFormSet = formset_factory(
    OutcomeForm, extra=OUTCOME_ROWS, max_num=OUTCOME_ROWS, validate_max=True, absolute_max=OUTCOME_ROWS,
)
