from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cop_site.params import four_digit_year, page_asked, whole_number

from . import service
from .documents import KIND_LABELS, KINDS, SearchFilters
from .limits import refused_search, refused_suggestions

RESULTS_PER_PAGE = 10


def filters_from(params):
    """Facet filters kept in the URL; anything malformed is ignored rather than an error."""
    community, year = params.get("community", ""), params.get("year", "")
    return SearchFilters(
        kind=params.get("kind", "") if params.get("kind") in KINDS else "",
        community=whole_number(community),
        topic=params.get("topic", "")[:80],
        year=four_digit_year(year),
    )


def page_number(params):
    page = params.get("page", "1")
    return page_asked(page, last=1000)


@require_GET
def search_page(request):
    if refused := refused_search(request):
        return refused
    query = request.GET.get("q", "").strip()[: service.MAX_QUERY_LENGTH]
    filters = filters_from(request.GET)
    results = service.search(query, request.user, filters, page_number(request.GET), RESULTS_PER_PAGE) if query else None
    return render(request, "search/search.html", {
        "query": query, "filters": filters, "results": results, "kinds": KINDS,
        "base_query": request.GET.copy(),
    })


@require_GET
def autocomplete(request):
    """Titles for the search box as the user types (autocomplete.js); only what this user may read."""
    if refused := refused_suggestions(request):
        return refused
    suggestions = service.suggest(request.GET.get("q", ""), request.user)
    return JsonResponse({"suggestions": [
        {**suggestion, "kind_label": KIND_LABELS.get(suggestion["kind"], suggestion["kind"])} for suggestion in suggestions
    ]})
