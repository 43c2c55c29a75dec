"""django-allauth adapted to the site: limit messages that say what happened and what to do."""

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    # allauth uses the first one for failed sign-ins and password-reset requests alike, so it names neither.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": "Too many attempts from you in a short time. Please wait a few minutes and try again.",
        "rate_limited": "You are sending requests very quickly. Please wait a minute and try again.",
    }
