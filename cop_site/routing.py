"""Routing requests to pages: delegating a page's routes to views, and finding the page a URL names in few queries."""

from functools import reduce
from importlib import import_module
from operator import or_

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.urls import Resolver404
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import Page, PageViewRestriction

# How many levels below the site root one query looks; deeper URLs continue with Wagtail's own walk.
ROUTED_LEVELS = 8

# The modules of every view delegate() routes to, for import_delegated_views().
DELEGATED_VIEW_MODULES = set()


def delegate(view_path):
    """A RoutablePageMixin route that calls the view at `view_path` as view(request, page, ...).

    The view is imported on first use: views import models, so models can't import views at load time.
    """
    module_name, function_name = view_path.rsplit(".", 1)
    DELEGATED_VIEW_MODULES.add(module_name)

    def route(self, request, *args, **kwargs):
        view = getattr(import_module(module_name), function_name)
        return view(request, self, *args, **kwargs)

    return route


def import_delegated_views():
    """Import every view module pages delegate to, as their first requests would (once the models are loaded)."""
    for module_name in sorted(DELEGATED_VIEW_MODULES):
        import_module(module_name)


class RoutedPageMixin:
    """For every page class: Wagtail's check of view restrictions, answered from what SiteRootMixin's query loaded.

    Wagtail asks for the page's ancestors, then for the restrictions on them (two queries on every page served). A
    page SiteRootMixin routed to carries the pages on its path, root first, each knowing whether it is restricted.
    """

    def get_view_restrictions(self):
        pages_on_path = getattr(self, "_pages_on_path", None)
        # An alias answers to its original's restrictions: Wagtail's own lookup resolves them.
        if pages_on_path is None or any(page.alias_of_id for page in pages_on_path):
            return super().get_view_restrictions()
        return PageViewRestriction.objects.filter(page_id__in=[page.pk for page in pages_on_path if page.restricted])


class SiteRootMixin(RoutedPageMixin):
    """For the site's root page: the page a URL names in two queries whatever its depth, as Wagtail's walk finds it.

    Wagtail looks up each level's child by slug and loads it as its specific class: two queries a level. Here one
    query loads every page the URL could name below this one (each slug at its depth), with this page's ancestors;
    the walk follows them in memory, and only the page that answers is loaded as its specific class. A page whose
    class routes in its own way answers for the rest of the URL, as it would in Wagtail's walk: a routable page
    whose routes match it, or a page with a route() of its own.
    """

    def route(self, request, path_components):
        levels = path_components[:ROUTED_LEVELS]
        candidates = list(
            Page.objects.filter(self._route_candidates(levels))
            .annotate(restricted=Exists(PageViewRestriction.objects.filter(page=OuterRef("pk"))))
            .order_by("depth", "path")
        )
        pages_on_path = [page for page in candidates if page.depth <= self.depth]  # root first, down to this page
        here, remaining = self, list(path_components)
        while remaining and (here is self or not answers_for(here, remaining)):
            child = next((
                page for page in candidates
                if page.depth == here.depth + 1 and page.slug == remaining[0] and page.path.startswith(here.path)
            ), None)
            if child is None:
                if here.depth - self.depth < len(levels):
                    raise Http404  # the query looked for it: no such page
                break  # deeper than the query looked: Wagtail's walk goes on from here
            child._cached_parent_obj = here  # as Wagtail's walk leaves it: get_parent() costs nothing
            pages_on_path.append(child)
            here, remaining = child, remaining[1:]
        here._pages_on_path = pages_on_path
        if here is self:
            return super().route(request, remaining)
        return here.specific.route(request, remaining)

    def _route_candidates(self, levels):
        own_path = Q(path__in=ancestor_paths(self.path))
        if not levels:
            return own_path
        below = reduce(or_, (Q(depth=self.depth + level, slug=slug) for level, slug in enumerate(levels, 1)))
        return own_path | (Q(path__startswith=self.path) & below)


def ancestor_paths(path):
    """The tree paths of a page's ancestors and the page itself, root first: prefixes of its own path."""
    return [path[:end] for end in range(Page.steplen, len(path) + 1, Page.steplen)]


def answers_for(page, remaining):
    """Whether Wagtail's walk stops at this page for the rest of the URL rather than look up a child of it."""
    page_class = page.specific_class
    if page_class is None or page_class.route is Page.route:
        return False
    if page_class.route is RoutablePageMixin.route:
        if not page.live:
            return False  # a routable page that isn't live looks up its children
        try:
            page_class.get_resolver().resolve("/" + "/".join(remaining) + "/")
        except Resolver404:
            return False
    return True
