from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import service
from .documents import KINDS, SearchFilters

RESULTS_PER_PAGE = 10


def filters_from(params):
    """Facet filters kept in the URL; anything malformed is ignored rather than an error."""
    community, year = params.get("community", ""), params.get("year", "")
    return SearchFilters(
        kind=params.get("kind", "") if params.get("kind") in KINDS else "",
        community=int(community) if community.isdigit() else None,
        topic=params.get("topic", "")[:80],
        year=int(year) if year.isdigit() and len(year) == 4 else None,
    )


def page_number(params):
    page = params.get("page", "1")
    return min(int(page), 1000) if page.isdigit() and int(page) > 0 else 1


@require_GET
def search_page(request):
    query = request.GET.get("q", "").strip()[: service.MAX_QUERY_LENGTH]
    filters = filters_from(request.GET)
    results = service.search(query, request.user, filters, page_number(request.GET), RESULTS_PER_PAGE) if query else None
    return render(request, "search/search.html", {
        "query": query, "filters": filters, "results": results, "kinds": KINDS,
        "base_query": request.GET.copy(),
    })


@require_GET
def autocomplete(request):
    """Titles for the search box as the user types; only what this user may read."""
    return JsonResponse({"suggestions": service.suggest(request.GET.get("q", ""), request.user)})
