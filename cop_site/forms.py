from django import forms

from newsletters.forms import SITE_WIDE_HELP
from newsletters.models import Subscription
from newsletters.subscriptions import subscribe


class SignupForm(forms.Form):
    """What allauth's sign-up form adds (ACCOUNT_SIGNUP_FORM_CLASS): the offer of the site-wide roundup.

    The box starts unticked: consent to email is something the member gives, never a default.
    """

    field_order = ["email", "password1", "password2", "roundup"]

    roundup = forms.BooleanField(
        required=False, label="Send me the monthly roundup of the whole site",
        help_text=f"{SITE_WIDE_HELP} Every email has a link to stop it.",
    )

    def signup(self, request, user):
        if self.cleaned_data.get("roundup"):
            subscribe(user, None, Subscription.Source.SIGNUP)
