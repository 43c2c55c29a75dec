from django.utils.functional import SimpleLazyObject


def notifications(request):
    """The header's unread count: worked out only if a template shows it (then one query, cached).

    0 for visitors. Nothing is evaluated here, not even request.user, so pages that don't show it pay nothing.
    """

    def count():
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        from .queries import unread_notification_count

        return unread_notification_count(user)

    return {"unread_notification_count": SimpleLazyObject(count)}
