import uuid

from django import forms

from cop_site.params import IdChoiceField

from .models import Flag, Membership, Profile
from .validators import UNREADABLE_AVATAR

POST_MAX_LENGTH = 10_000  # long enough for a detailed answer; bounded so rendering stays fast


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["display_name", "organisation", "job_title", "bio", "avatar", "email_frequency"]
        labels = {"bio": "Short bio"}
        widgets = {"bio": forms.Textarea(attrs={"rows": 6}), "email_frequency": forms.RadioSelect}
        error_messages = {"avatar": {"invalid_image": UNREADABLE_AVATAR}}


class SubmissionKeyMixin(forms.Form):
    """A key issued with the form, so pressing Post twice creates one post."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4())


def body_field(label="Your message"):
    return forms.CharField(
        label=label, min_length=2, max_length=POST_MAX_LENGTH, strip=True,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Markdown works: **bold**, *italic*, lists, > quotes, `code` and [links](https://example.org). "
                  "Mention a member with @username.",
    )


class ThreadForm(SubmissionKeyMixin):
    title = forms.CharField(min_length=5, max_length=150, strip=True, help_text="A question or topic in a few words.")
    body = body_field()


class ReplyForm(SubmissionKeyMixin):
    body = body_field("Your reply")
    quoted_post = forms.IntegerField(widget=forms.HiddenInput, required=False)


class EditPostForm(forms.Form):
    body = body_field("Your post")


class FlagForm(forms.ModelForm):
    class Meta:
        model = Flag
        fields = ["reason", "note"]
        labels = {"reason": "What's wrong with this post?", "note": "Anything the facilitators should know"}
        widgets = {"reason": forms.RadioSelect, "note": forms.Textarea(attrs={"rows": 3})}


class JoinRequestForm(forms.ModelForm):
    """Joining: a note for the facilitators when they approve requests, and the offer of the monthly roundup.

    The roundup box starts unticked: consent to email is something the member gives, never a default.
    """

    roundup = forms.BooleanField(required=False, help_text="Once a month, the discussions and resources worth reading. "
                                                           "Every email has a link to stop it.")

    class Meta:
        model = Membership
        fields = ["request_message"]
        widgets = {"request_message": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"request_message": "Optional: tell the facilitators about your role and interest."}

    def __init__(self, *args, community, needs_approval, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_approval:
            del self.fields["request_message"]
        self.fields["roundup"].label = f"Email me {community.title}’s monthly roundup"


class MoveThreadForm(forms.Form):
    target = IdChoiceField(queryset=None, label="Move to", empty_label=None)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = communities
