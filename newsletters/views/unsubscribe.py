"""Leaving a roundup from the link in its email: no sign-in, the signed token says who and which roundup.

GET only asks, so link scanners and prefetching mail programs never unsubscribe anyone. POST acts: the
page's button, or a mail program's one-click request (RFC 8058: a POST with the body
``List-Unsubscribe=One-Click`` and no CSRF token, hence the exemption). The token is the credential:
it is signed, so one member's link cannot be turned into another's.
"""

from django.contrib.auth import get_user_model
from django.core import signing
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from communities.models import CommunityPage

from ..emails import stream_name
from ..models import Subscription
from ..subscriptions import is_subscribed, read_unsubscribe_token, unsubscribe as leave


def _stream(token):
    """(user, community or None) the token names, or None if it is forged, mangled or names nobody now."""
    try:
        user_id, community_id = read_unsubscribe_token(token)
    except signing.BadSignature:
        return None
    user = get_user_model().objects.filter(pk=user_id).first()
    community = CommunityPage.objects.filter(pk=community_id).first() if community_id else None
    if user is None or (community_id and community is None):
        return None
    return user, community


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    found = _stream(token)
    if found is None:
        return render(request, "newsletters/unsubscribe_invalid.html", status=400)
    user, community = found
    context = {"stream_name": stream_name(community), "preferences_url": reverse("roundup_preferences")}
    if request.method != "POST":
        return render(request, "newsletters/unsubscribe.html", {**context, "subscribed": is_subscribed(user, community)})
    one_click = request.POST.get("List-Unsubscribe") == "One-Click"
    leave(user, community, Subscription.Source.ONE_CLICK if one_click else Subscription.Source.UNSUBSCRIBE_LINK)
    return render(request, "newsletters/unsubscribe_done.html", context)
