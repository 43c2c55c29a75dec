"""Security headers browsers enforce: the Content-Security-Policy (django-csp) and a Permissions-Policy."""

from csp.middleware import CSPMiddleware
from django.conf import settings


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """CONTENT_SECURITY_POLICY everywhere, with named directives replaced for the admin and for admin previews.

    A view's own @csp_replace still wins, and a response that already carries a policy (private files send a
    stricter one) keeps it. Wagtail renders a preview through the middleware a second time, for the page's own
    URL, so a preview is recognised by the flag Wagtail sets on that inner request, not by its path.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if report_only or parts.replace is not None:
            return parts
        if getattr(request, "is_preview", False):
            parts.replace = settings.CONTENT_SECURITY_POLICY_PREVIEW_DIRECTIVES
        elif is_admin_path(request.path_info):
            parts.replace = settings.CONTENT_SECURITY_POLICY_ADMIN_DIRECTIVES
        return parts


def is_admin_path(path):
    return path.startswith(tuple(settings.CONTENT_SECURITY_POLICY_ADMIN_PREFIXES))


class PermissionsPolicyMiddleware:
    """Send PERMISSIONS_POLICY ({feature: [allowed origins]}, empty for none) unless a view set its own."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})" for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
