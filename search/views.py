from django.core.paginator import Paginator
from django.shortcuts import render
from wagtail.models import Page

RESULTS_PER_PAGE = 10


def search_page(request):
    """Searches the site's public pages; the full permission-aware search service replaces the query."""
    query = request.GET.get("q", "").strip()[:200]
    results = Page.objects.none()
    if query:
        results = Page.objects.live().public().specific().search(query)
    page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "search/search.html", {"query": query, "results": page})
