"""A roundup as a web page: for whoever may read its community, each item shown only to those who may read it."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from communities.views.access import deny

from .. import figures, queries
from ..emails import stream_name
from ..models import Subscription
from ..permissions import can_read_roundup, can_subscribe, is_public_roundup
from ..rendering import resolve, visible_to
from ..subscriptions import SubscriptionError, is_subscribed, subscribe

TEXT_TEMPLATE = "newsletters/blocks/text.html"  # rich text blocks declare no template of their own


def block_templates(roundup):
    """{block type: template}, as blocks.py declares them; each renders one Entry."""
    return {
        name: getattr(block.meta, "template", None) or TEXT_TEMPLATE
        for name, block in roundup.body.stream_block.child_blocks.items()
    }


def email_offer(user, community):
    """What the "Get this roundup by email" box offers: "sign_in", "subscribed", "subscribe" or "preferences"."""
    if not user.is_authenticated:
        return "sign_in"
    if is_subscribed(user, community):
        return "subscribed"
    return "subscribe" if can_subscribe(user, community) else "preferences"


def archive_links(roundup):
    """(the archive's URL, the feed this roundup appears in: its public community's or that of every public roundup)."""
    index = queries.newsletter_index()
    feed = index.url + index.reverse_subpage("feed")
    if roundup.community is not None and is_public_roundup(roundup):
        feed += "?" + urlencode({"community": roundup.community.slug})
    return index.url, feed


def serve_roundup(request, roundup):
    if not can_read_roundup(request.user, roundup):
        if roundup.community is None:
            raise Http404("No such roundup.")
        return deny(request, roundup.community, "This community's roundups are for its members.")
    if request.method == "POST":
        return subscribe_from_page(request, roundup)
    return render_roundup(request, roundup)


def render_roundup(request, roundup):
    """The page itself, without the permission check: the editor's preview renders drafts through this too."""
    entries = visible_to(resolve(roundup), request.user)
    templates = block_templates(roundup)
    archive_url, feed_url = archive_links(roundup)
    quiet = not any((roundup.figures or {}).get("posts_per_day") or [])
    return TemplateResponse(request, roundup.get_template(request), {
        **roundup.get_context(request),
        "entries": [(entry, templates[entry.type]) for entry in entries],
        "starts_with_heading": bool(entries) and entries[0].type == "heading",
        "figures": figures.key_figures(roundup.figures or {}),
        "chart": figures.posts_chart(roundup.figures, roundup.month) if not quiet else None,
        "stream_name": stream_name(roundup.community),
        "email_offer": email_offer(request.user, roundup.community),
        "archive_url": archive_url,
        "feed_url": feed_url,
        "site_root": request.build_absolute_uri("/").rstrip("/"),  # full links when printed
    })


def subscribe_from_page(request, roundup):
    """The page's "Email me this roundup" button: the member's yes, recorded like one given on the preferences page."""
    if not request.user.is_authenticated:
        return redirect_to_login(roundup.url)
    try:
        subscribe(request.user, roundup.community, Subscription.Source.PREFERENCES)
    except SubscriptionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"You'll get the {stream_name(roundup.community)} roundup by email each month. "
                                  "You can stop it any time from your email preferences.")
    return redirect(roundup.url)
