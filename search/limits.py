"""How often one person may search: the search page, its suggestions and the library's word filter, which asks the
same index, all count here (cop_site.ratelimit counts per user and per address)."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

from cop_site import ratelimit

TOO_MANY_SEARCHES = "You have searched a lot in the last minute. Please wait a moment and try again."


def too_many(request, scope, limit):
    """Count this request per user and per IP address; True when it is over the limit."""
    return not ratelimit.hit_request(request, scope, limit, ratelimit.MINUTE)


def refused_search(request):
    """The friendly 429 page when this request is one search too many, else None."""
    if not too_many(request, "search", settings.SEARCH_REQUESTS_PER_MINUTE):
        return None
    return _retry_later(render(request, "429.html", {"message": TOO_MANY_SEARCHES}, status=429))


def refused_suggestions(request):
    """The same refusal for the search box's suggestions, as the JSON autocomplete.js shows, else None."""
    if not too_many(request, "search-suggestions", settings.SEARCH_SUGGESTIONS_PER_MINUTE):
        return None
    return _retry_later(JsonResponse({"error": TOO_MANY_SEARCHES, "suggestions": []}, status=429))


def _retry_later(response):
    response["Retry-After"] = str(ratelimit.MINUTE)
    return response
