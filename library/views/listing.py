from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.views.decorators.vary import vary_on_headers

from cop_site.feeds import PlainTextAtomFeed
from search.limits import refused_search

from .. import permissions, queries


@vary_on_headers("HX-Request")
def library_index(request, library):
    filters = queries.LibraryFilters.from_query(request.GET)
    if filters.query and (refused := refused_search(request)):  # words are looked for in the search index
        return refused
    items = queries.library_page(request.user, filters, request.GET.get("page"))
    results = {"items": items, "query_without_page": querystring_without_page(request)}
    if request.htmx:  # a filter changed: only the results (and their count) are swapped in
        return library.render(request, template="library/includes/results_update.html", context_overrides=results)
    return library.render(request, context_overrides={
        **results,
        "filters": filters,
        "options": queries.filter_options(request.user),
        "can_upload": permissions.can_upload(request.user),
    })


def querystring_without_page(request):
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


class LibraryFeed(Feed):
    """What anyone may read in the library: public decks and published case studies, newest first."""

    feed_type = PlainTextAtomFeed
    title = "Practice Exchange library"
    link = "/library/"
    subtitle = "New slide decks and case studies shared by public-sector practitioners."

    def get_object(self, request, library):
        return library

    def items(self, library):
        # Built as a visitor sees it whoever asks: feed readers cache and share what they fetch.
        return queries.library_page(AnonymousUser(), queries.LibraryFilters(), 1, per_page=30).object_list

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        return item.obj.created_at if item.kind == "deck" else item.obj.first_published_at


def library_feed(request, library):
    return LibraryFeed()(request, library=library)
