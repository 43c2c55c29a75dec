"""Signing in as Django and allauth do, and loading the signed-in user in one query on every request.

The user comes with their profile (the header shows their name) and the facts every page asks about them: whether
they have a verified email address, and how many unread notifications they have. The helpers that answer those
questions (communities.permissions.has_verified_email, communities.queries.unread_notification_count) read them
from the user object when present, and ask the database for users loaded any other way.
"""

from functools import cache

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends as django_backends
from django.contrib.auth import get_user_model

from communities.permissions import signed_in_user_facts
from communities.queries import header_facts


@cache
def signed_in_users():
    """Users with their profile and facts. Built once per process (never evaluated itself, only filtered): resolving
    its subqueries again on every request cost more than the query that uses them."""
    return get_user_model()._default_manager.select_related("profile").annotate(**signed_in_user_facts(), **header_facts())


class SignedInUserLoader:
    def get_user(self, user_id):
        user = signed_in_users().filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(SignedInUserLoader, django_backends.ModelBackend):
    """Username and password, as in the Wagtail admin's sign-in form."""


class AuthenticationBackend(SignedInUserLoader, allauth_backends.AuthenticationBackend):
    """Email and password, as in the site's sign-in form."""
