"""The communities app's named queries: views, the home page and feeds choose from these."""

from .models import CommunityPage, Profile


def listed_communities(user):
    """Communities shown in listings, in title order."""
    return CommunityPage.objects.live().public().order_by("title")


def featured_communities(user, limit=6):
    return listed_communities(user)[:limit]


def public_profile(username):
    """The profile shown at /members/<username>/, with its user loaded in the same query."""
    return Profile.objects.select_related("user").get(user__username=username, user__is_active=True)

