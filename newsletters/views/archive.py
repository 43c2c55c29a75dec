"""The archive of roundups at /newsletters/ and its RSS feed."""

from django.http import Http404

from .. import queries
from ..feeds import RoundupFeed


def archive(request, index):
    communities = list(queries.archive_communities(request.user))
    # Only a community offered in the filter can be chosen, so a slug never reveals one the reader can't see.
    chosen = next((community for community in communities if community.slug == request.GET.get("community")), None)
    return index.render(request, context_overrides={
        "roundups": queries.archive_page(request.user, chosen, request.GET.get("page")),
        "communities": communities,
        "chosen": chosen,
        "feed_url": index.url + index.reverse_subpage("feed"),
    })


def feed(request, index):
    slug = request.GET.get("community")
    community = queries.public_community(slug) if slug else None
    if slug and community is None:
        raise Http404("Only public communities have a roundup feed of their own.")
    return RoundupFeed(index)(request, community=community)
