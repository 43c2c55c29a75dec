"""The facilitators' desk: open flags to handle, and the log of what moderators did."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from .. import permissions, queries, services
from ..models import Flag
from .access import deny

RESOLVED_FLAGS_SHOWN = 30
LOG_ENTRIES_PER_PAGE = 50

NOT_A_MODERATOR = "Only this community's facilitators can handle flags and read the moderation log."


# Views

def flag_queue(request, community):
    if not permissions.can_moderate(request.user, community):
        return deny(request, community, NOT_A_MODERATOR)
    if request.method == "POST":
        return resolve(request, community)
    return TemplateResponse(request, "communities/moderation/flag_queue.html", {
        "page": community,
        "can_moderate": True,
        "flagged_posts": queries.open_flags_by_post(community),
        "resolved_flags": queries.recently_resolved_flags(community, RESOLVED_FLAGS_SHOWN),
        "resolved_limit": RESOLVED_FLAGS_SHOWN,
    })


RESOLUTIONS = {
    "dismiss": (False, "Dismissed: the post can stay.", "Flags dismissed: the post stays as it is."),
    "hide": (True, "Post hidden.", "Post hidden and its flags resolved."),
}


def resolve(request, community):
    """Resolve every open flag on one post, optionally hiding it; then back to the queue."""
    queue_url = community.url + community.reverse_subpage("flag_queue")
    action = request.POST.get("action")
    if action not in RESOLUTIONS:
        messages.error(request, "Choose whether to dismiss the flags or hide the post.")
        return redirect(queue_url)
    hide_post, default_resolution, done = RESOLUTIONS[action]
    flag = (
        Flag.objects.open().filter(post__thread__community=community, post_id=_int(request.POST.get("post")))
        .select_related("post__thread").first()
    )
    if flag is None:
        messages.info(request, "Those flags have already been resolved.")
        return redirect(queue_url)
    flag.post.thread.community = community
    resolution = request.POST.get("resolution", "").strip() or default_resolution
    try:
        services.resolve_flag(request.user, flag, resolution, hide_post=hide_post)
    except services.ForumError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect(queue_url)


def moderation_log(request, community):
    if not permissions.can_moderate(request.user, community):
        return deny(request, community, NOT_A_MODERATOR)
    entries = Paginator(queries.moderation_log_for(community), LOG_ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    for entry in entries:
        # A thread since moved to a community this moderator can't read is not named, nor is where it went.
        entry.thread_readable = entry.thread is not None and permissions.can_read_thread(request.user, entry.thread)
        entry.shown_detail = entry.detail if entry.thread is None or entry.thread_readable else ""
    return TemplateResponse(request, "communities/moderation/moderation_log.html", {
        "page": community,
        "can_moderate": True,
        "entries": entries,
    })


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
