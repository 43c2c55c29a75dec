from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .admin_access import sync_admin_access
from .models import Membership, Profile


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def create_profile_for_new_user(sender, instance, created, raw=False, **kwargs):
    """Every member has a profile from the moment they register."""
    if created and not raw:
        Profile.objects.get_or_create(user=instance)


@receiver(post_save, sender=Membership, dispatch_uid="communities_facilitator_admin_access_saved")
@receiver(post_delete, sender=Membership, dispatch_uid="communities_facilitator_admin_access_deleted")
def keep_facilitator_admin_access(sender, instance, raw=False, **kwargs):
    """Becoming an active facilitator anywhere opens the Wagtail admin; ceasing to facilitate anywhere closes it."""
    if not raw:
        sync_admin_access(instance.user_id)
