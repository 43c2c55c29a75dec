"""How a view says no: invisible things are 404, sign-in comes first, then a page that explains."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.template.response import TemplateResponse

from ..permissions import can_see_community


def deny(request, community, reason="This part of the community is for its members."):
    if not can_see_community(request.user, community):
        raise Http404("No such community.")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return TemplateResponse(request, "communities/forbidden.html", {"page": community, "reason": reason}, status=403)
