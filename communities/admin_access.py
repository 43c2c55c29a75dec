"""Facilitators reach the Wagtail admin through the "Facilitators" group, which holds only ``access_admin``.

That is enough for the dashboard, where the case studies submitted to their communities wait for review
(``library.models.FacilitatorApprovalTask`` opens the editor and the approve / request-changes actions for
those pages alone). The group has no page, collection or model permissions, so nothing else in the admin is
theirs to edit: don't add any to it.

``communities.signals`` keeps the group in step with memberships: whoever is an active facilitator of any
community is in it, and nobody else (a later change to someone's memberships takes them out if they no
longer facilitate anywhere). Migration ``communities.0004`` created the group and added existing facilitators.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from .models import CommunityPage, Membership
from .permissions import is_staff, memberships

FACILITATORS_GROUP = "Facilitators"


def facilitators_group():
    """The group, recreated with ``access_admin`` alone if it is missing (e.g. after a database flush)."""
    group, created = Group.objects.get_or_create(name=FACILITATORS_GROUP)
    if created:
        group.permissions.set(Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin"))
    return group


def facilitates_anywhere(user_id):
    return Membership.objects.facilitators().filter(user_id=user_id).exists()


def sync_admin_access(user_id):
    """Put the user in the Facilitators group if they are an active facilitator anywhere, else take them out.

    Returns whether they are in it now. Writes the user-group link directly, so it works from a membership
    signal without loading the user, and does nothing for a user who is being deleted.
    """
    UserGroup = get_user_model().groups.through
    group = facilitators_group()
    if facilitates_anywhere(user_id):
        if get_user_model().objects.filter(pk=user_id).exists():
            UserGroup.objects.get_or_create(user_id=user_id, group_id=group.pk)
            return True
        return False
    UserGroup.objects.filter(user_id=user_id, group_id=group.pk).delete()
    return False


def edits_pages(user):
    """Editors: staff, superusers and anyone with page permissions. Not a facilitator, who reviews through a task."""
    from wagtail.permission_policies.pages import PagePermissionPolicy

    return is_staff(user) or PagePermissionPolicy().user_has_any_permission(user, ["add", "change", "publish"])


def choosable_pages(pages, user):
    """What the admin's page chooser may list for this user: everything for editors; for anyone else, the live,
    public pages, without the private communities they are not in (Wagtail would list the whole tree)."""
    if edits_pages(user):
        return pages
    hidden = CommunityPage.objects.filter(visibility=CommunityPage.Visibility.PRIVATE).exclude(
        pk__in=[cid for cid, found in memberships(user).items() if found.status in {Membership.Status.ACTIVE, Membership.Status.INVITED}]
    )
    return pages.live().public().exclude(pk__in=hidden.values("pk"))
