from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from .. import notifications as notes, queries
from ..models import Notification

PER_PAGE = 30


@login_required
@require_http_methods(["GET", "POST"])
def notification_list(request):
    if request.method == "POST":
        marked = Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
        if marked:
            messages.success(request, f"{marked} notification{'' if marked == 1 else 's'} marked as read.")
        return redirect("notification_list")
    page = Paginator(queries.notifications_for(request.user), PER_PAGE).get_page(request.GET.get("page"))
    for notification in page:
        notification.description = notes.describe(notification, viewer=request.user)
    return render(request, "communities/notifications/list.html", {"page": page})


@login_required
@require_GET
def notification_open(request, pk):
    notification = get_object_or_404(queries.notifications_for(request.user), pk=pk)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    if not notes.can_see(request.user, notification):
        messages.info(request, "You can no longer see what that notification was about.")
        return redirect("notification_list")
    return redirect(notes.target_url(notification))
