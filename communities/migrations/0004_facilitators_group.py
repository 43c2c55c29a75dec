"""The "Facilitators" group: the Wagtail admin permission alone, for every active facilitator.

Facilitators review the case studies submitted to their communities in the admin (library's
FacilitatorApprovalTask); the group grants no page or model permissions. ``communities.admin_access`` keeps
its members in step with memberships from now on; this adds the facilitators there already.
"""

from django.conf import settings
from django.db import migrations

FACILITATORS_GROUP = "Facilitators"


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Membership = apps.get_model("communities", "Membership")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))

    group, created = Group.objects.get_or_create(name=FACILITATORS_GROUP)
    if created:
        group.permissions.set(Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin"))
    facilitators = Membership.objects.filter(status="active", role="facilitator").values_list("user_id", flat=True)
    UserGroup = User.groups.through
    for user_id in set(facilitators):
        UserGroup.objects.get_or_create(user_id=user_id, group_id=group.pk)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=FACILITATORS_GROUP).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("communities", "0003_communitypage_topics"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        # These give every group holding access_admin the right to choose documents and images: run them first,
        # so that a fresh database's Facilitators group holds access_admin alone, as an existing site's does.
        ("wagtaildocs", "0011_add_choose_permissions"),
        ("wagtailimages", "0023_add_choose_permissions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
