"""django-allauth adapted to the site: limit messages that say what happened and what to do, account emails that
read like the site's other emails, and a sign-up that does not tell whether an address is already registered."""

from allauth.account import forms as allauth_forms
from allauth.account import views as allauth_views
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.app_settings import EmailVerificationMethod
from allauth.account.internal import flows
from allauth.account.models import Login
from allauth.utils import build_absolute_uri
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    # allauth uses the first one for failed sign-ins and password-reset requests alike, so it names neither.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": "Too many attempts from you in a short time. Please wait a few minutes and try again.",
        "rate_limited": "You are sending requests very quickly. Please wait a minute and try again.",
    }

    def send_mail(self, template_prefix, email, context):
        """Account emails sign off as the site's other emails do, and can point to the sign-in page."""
        links = {
            "site_name": settings.WAGTAIL_SITE_NAME,
            "site_url": build_absolute_uri(None, "/"),
            "login_url": build_absolute_uri(None, reverse("account_login")),
        }
        super().send_mail(template_prefix, email, {**links, **context})


class SignupForm(allauth_forms.SignupForm):
    def validate_unique_email(self, value):
        """Take a registered address as allauth does when verification is mandatory, as it is at sign-up.

        allauth refuses it with "already registered" unless ACCOUNT_EMAIL_VERIFICATION is "mandatory" site-wide;
        here the form passes, no account is made, and SignupView answers as for a new address.
        """
        try:
            return super().validate_unique_email(value)
        except ValidationError as error:
            if error.code != "email_taken":
                raise
            self.account_already_exists = True
            return value


class SignupView(allauth_views.SignupView):
    """Sign-up never signs anyone in: a new and a registered address get the same "check your email" answer.

    Verification stays "optional" site-wide, so an unverified member can sign in with their password and read
    (issue #2); only sign-up waits for the address to be confirmed. A new address gets the confirmation link,
    which signs them in when followed in the same browser (ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION); the owner of a
    registered one gets allauth's "account already exists" email. See SECURITY.md, account enumeration.
    """

    form_class = SignupForm

    def form_valid(self, form):
        if form.account_already_exists:
            # allauth's flows.signup.prevent_enumeration, with our sign-up's verification rather than the site's.
            login = Login(user=None, email=form.cleaned_data["email"], signup=True,
                          email_verification=EmailVerificationMethod.MANDATORY)
            return flows.login.perform_login(self.request, login)
        return flows.signup.complete_signup(
            self.request, user=form.save(self.request), redirect_url=self.get_success_url(),
            email_verification=EmailVerificationMethod.MANDATORY,
        )
