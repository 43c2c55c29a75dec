from django.contrib.syndication.views import Feed

from cop_site.feeds import PlainTextAtomFeed

from .models import Thread


class CommunityThreadsFeed(Feed):
    """New threads in one public community (the view refuses every other kind)."""

    feed_type = PlainTextAtomFeed
    limit = 30

    def get_object(self, request, community):
        return community

    def title(self, community):
        return f"{community.title}: new threads"

    def link(self, community):
        return community.url + "forum/"

    def subtitle(self, community):
        return community.summary

    def items(self, community):
        return (
            Thread.objects.filter(community=community, is_hidden=False)
            .select_related("author__profile", "community").order_by("-created_at")[: self.limit]
        )

    def item_title(self, thread):
        return thread.title

    def item_description(self, thread):
        return f"Started by {thread.author.profile.name if thread.author else 'a former member'}; {thread.reply_count} replies."

    def item_link(self, thread):
        return thread.get_absolute_url()

    def item_pubdate(self, thread):
        return thread.created_at

    def item_author_name(self, thread):
        return thread.author.profile.name if thread.author else None
