from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from cop_site.params import whole_number
from library import queries as library_queries
from newsletters import subscriptions
from newsletters.models import Subscription

from .. import permissions, queries, services
from ..feeds import CommunityThreadsFeed
from ..forms import JoinRequestForm
from ..models import CommunityPage, Membership
from .access import deny


def community_home(request, community):
    if not permissions.can_see_community(request.user, community):
        return deny(request, community)
    readable = permissions.can_read_forum(request.user, community)
    return community.render(request, context_overrides={
        "membership": permissions.membership(request.user, community),
        "can_read_forum": readable,
        "can_join": permissions.can_join(request.user, community),
        "can_moderate": permissions.can_moderate(request.user, community),
        "facilitators": queries.facilitators(community),
        "recent_threads": queries.threads_for(request.user, community)[:5] if readable else [],
    })


def join(request, community):
    if not request.user.is_authenticated:
        return deny(request, community)
    if request.method == "POST" and "accept_invitation" in request.POST:
        return accept_invitation(request, community)
    if not permissions.can_join(request.user, community):
        return deny(request, community, "You can't join this community: it may be by invitation only.")
    needs_approval = community.join_policy == CommunityPage.JoinPolicy.APPROVAL
    form = JoinRequestForm(request.POST if request.method == "POST" else None, community=community,
                           needs_approval=needs_approval)
    if form.is_bound and form.is_valid():
        with transaction.atomic():
            joined = services.join(request.user, community, form.cleaned_data.get("request_message", ""))
            if form.cleaned_data.get("roundup"):
                # Someone asking to join subscribes now; the roundup reaches them once they are approved.
                subscriptions.subscribe(request.user, community, Subscription.Source.JOIN)
        if joined.is_active:
            messages.success(request, f"Welcome to {community.title}! You can now take part in its discussions.")
        else:
            messages.success(request, "Your request has been sent. A facilitator will reply, and we'll email you.")
        return redirect(community.url)
    return TemplateResponse(request, "communities/join.html", {
        "page": community, "form": form, "needs_approval": needs_approval,
    })


def accept_invitation(request, community):
    try:
        services.accept_invitation(request.user, community)
    except services.ForumError as error:
        return deny(request, community, str(error))
    messages.success(request, f"Welcome to {community.title}!")
    return redirect(community.url)


@require_POST
def leave(request, community):
    # Someone who cannot see a private community is told nothing exists, not that they are not a member.
    if not request.user.is_authenticated or not permissions.can_see_community(request.user, community):
        return deny(request, community)
    try:
        services.leave(request.user, community)
    except services.ForumError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"You have left {community.title}.")
    if permissions.can_see_community(request.user, community):
        return redirect(community.url)
    return redirect("/communities/")


def library(request, community):
    """The community's share of the library, through the library's own listing and filters."""
    if not permissions.can_read_forum(request.user, community):
        return deny(request, community, "This community's library is for its members.")
    filters = library_queries.LibraryFilters.from_query(request.GET)
    filters.community = community.slug
    return TemplateResponse(request, "communities/library.html", {
        "page": community, "filters": filters,
        "items": library_queries.library_page(request.user, filters, request.GET.get("page")),
        "can_upload": permissions.can_post(request.user, community),
        "can_moderate": permissions.can_moderate(request.user, community),
    })


def members(request, community):
    if not (permissions.is_member(request.user, community) or permissions.can_moderate(request.user, community)):
        return deny(request, community, "The member list is for this community's members.")
    can_moderate = permissions.can_moderate(request.user, community)
    if request.method == "POST" and can_moderate:
        try:
            if "invite" in request.POST:
                invite(request, community)
            else:
                removed = get_object_or_404(Membership.objects.active(), pk=whole_number(request.POST.get("membership")),
                                            community=community)
                services.remove_member(request.user, removed, request.POST.get("reason", ""))
                messages.success(request, f"{removed.user.profile.name} has been removed from the community.")
        except services.ForumError as error:
            messages.error(request, str(error))
        return redirect(community.url + "members/")
    return TemplateResponse(request, "communities/members.html", {
        "page": community, "members": queries.members(community), "can_moderate": can_moderate,
    })


def invite(request, community):
    username = request.POST.get("username", "").strip().lstrip("@")
    invitee = get_user_model().objects.filter(username=username, is_active=True).first()
    if invitee is None:
        raise services.ForumError(f"No member is called @{username}. Check the name on their profile page.")
    services.invite(request.user, community, invitee)
    messages.success(request, f"{invitee.profile.name} has been invited and told by email.")


def join_requests(request, community):
    if not permissions.can_moderate(request.user, community):
        return deny(request, community, "Only this community's facilitators can see join requests.")
    if request.method == "POST":
        pending = get_object_or_404(Membership.objects.pending(), pk=whole_number(request.POST.get("membership")),
                                    community=community)
        approve = request.POST.get("decision") == "approve"
        try:
            services.decide(request.user, pending, approve, request.POST.get("message", "").strip()[:1000])
            name = pending.user.profile.name
            messages.success(request, f"{name} {'is now a member' if approve else 'has been told their request was declined'}.")
        except services.ForumError as error:
            messages.error(request, str(error))
        return redirect(community.url + "requests/")
    return TemplateResponse(request, "communities/join_requests.html", {
        "page": community, "requests": queries.pending_requests(community),
    })


def feed(request, community):
    if not community.is_public or not community.live:
        return deny(request, community, "Only public communities have a public feed.")
    return CommunityThreadsFeed()(request, community=community)
