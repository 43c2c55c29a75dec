"""The member home at /my/: what is new in my communities since my last visit, my watched threads, my notifications."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from library import queries as library_queries

from .. import notifications as notes, queries

LIBRARY_ITEMS = 6


@login_required
@require_http_methods(["GET", "POST"])
def member_home(request):
    user = request.user
    profile = user.profile
    if request.method == "POST":  # Mark all as seen
        profile.mark_home_seen(timezone.now())
        messages.success(request, "You're all caught up. New threads, replies and library items will show here as they arrive.")
        return redirect("member_home")
    since = profile.visit_home(timezone.now())
    communities = list(queries.home_communities(user))
    news = queries.community_news(user, communities, since)
    watched = queries.watched_threads(user)
    queries.attach_read_state(user, [*(thread for group in news for thread in group.threads), *watched])
    library_items, more_in_library = library_queries.new_in_library(user, since, [c.pk for c in communities], LIBRARY_ITEMS)
    notifications = queries.latest_notifications(user)
    for notification in notifications:
        notification.description = notes.describe(notification, viewer=user)
    return render(request, "communities/member_home.html", {
        "first_visit": profile.is_first_home_visit,
        "since": since,
        "communities": communities,
        "news": news,
        "library_items": library_items,
        "more_in_library": more_in_library,
        "watched_threads": watched,
        "watched_forums": queries.watched_forums(user, since),
        "notifications": notifications,
    })
