from django import forms

from .models import Profile
from .validators import UNREADABLE_AVATAR


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["display_name", "organisation", "job_title", "bio", "avatar"]
        labels = {"bio": "Short bio"}
        widgets = {"bio": forms.Textarea(attrs={"rows": 6})}
        error_messages = {"avatar": {"invalid_image": UNREADABLE_AVATAR}}
