"""Roundup subscribers, and the months of published roundups (site-wide, and for the busiest communities).

Subscribers are verified members who took the site-wide roundup when they signed up, or a community's when
they joined it; a few have since unsubscribed. Roundups (every month's site-wide one, and the busiest communities'
for the last year) are compiled and published through the newsletters app itself (`compile_roundup`, then a
revision published), so their content is what a facilitator would have been offered. They are dated as if
published early the following month and marked as sent then, all but the newest site-wide one, which is published
and not yet sent: `manage.py send_roundup <slug>` sends it to every verified site-wide subscriber, for
benchmarking the sending.
"""

from django.contrib.auth import get_user_model

from communities.models import CommunityPage, Post
from newsletters.compile import compile_roundup, month_bounds, roundup_for
from newsletters.models import RoundupPage, Subscription

from .rows import TableWriter, roomy_sorts, temporary_index
from .timeline import DAY, as_datetime
from .vocabulary import THEME_SLUGS, text

Source = Subscription.Source
SITE_WIDE_SHARE = 0.4
COMMUNITY_SHARE = 0.25
UNSUBSCRIBED_SHARE = 0.05
UNSUBSCRIBE_SOURCES = [Source.UNSUBSCRIBE_LINK, Source.ONE_CLICK, Source.PREFERENCES]
# The busiest communities' own roundups cover the last year: compiling one reads every post of the site
# (newsletters.compile), so each costs seconds at the large size, and a year of them is what benchmarks use.
COMMUNITY_ROUNDUP_MONTHS = 12


def create_subscriptions(run, people, communities):
    rng, now = run.rng("subscriptions"), run.timeline.now
    with TableWriter(Subscription, ["user", "community", "is_active", "consented_at", "consent_source",
                                    "unsubscribed_at", "unsubscribe_source"]) as writer:

        def subscribe(user_id, community_id, since, source):
            if rng.random() < UNSUBSCRIBED_SHARE:
                left = as_datetime(since + rng.random() * (now - since))
                writer.add((user_id, community_id, False, as_datetime(since), source, left, rng.choice(UNSUBSCRIBE_SOURCES)))
            else:
                writer.add((user_id, community_id, True, as_datetime(since), source, None, ""))

        with run.progress("Subscribers", people.count + len(communities.active_memberships)) as bar:
            for position in range(people.count):
                if people.can_post[position] and rng.random() < SITE_WIDE_SHARE:
                    subscribe(people.user_id(position), None, people.joined_at[position], Source.SIGNUP)
                bar.advance()
            for index, user_id, since in communities.active_memberships:
                if people.can_post[user_id - people.first_id] and rng.random() < COMMUNITY_SHARE:
                    subscribe(user_id, communities.all[index].page_id, since, Source.JOIN)
                bar.advance()
    run.count("roundup subscriptions", writer.written)


def create_roundups(run, people, communities):
    """The site-wide roundup of each month, and the busiest communities' of the last year, oldest first; a
    month that already has its roundup (a database filled before) is left alone."""
    rng, now = run.rng("roundups"), run.timeline.now
    months = run.timeline.months[-1 - run.preset.months:-1]  # up to last month
    busiest = {community.page_id: community for community in communities.by_activity()[: run.preset.roundup_communities]}
    streams = [None, *CommunityPage.objects.filter(pk__in=list(busiest)).order_by("pk")]
    editors = get_user_model().objects.in_bulk(
        [people.staff_ids[0], *(community.facilitators[0] for community in busiest.values())]
    )
    planned = [(month, stream) for month in months for stream in streams
               if stream is None or month in months[-COMMUNITY_ROUNDUP_MONTHS:]]
    published = 0
    roomy_sorts()
    # Compiling reads each month's posts by date, a column the site does not index; for this phase it is.
    with run.progress("Roundups", len(planned)) as bar, temporary_index(Post, "created_at"):
        for month, stream in planned:
            if roundup_for(stream, month) is None:
                community = busiest[stream.pk] if stream else None
                editor = editors[community.facilitators[0] if community else people.staff_ids[0]]
                themes = community.themes if community else tuple(rng.sample(THEME_SLUGS, 2))
                newest_site_wide = stream is None and month == months[-1]
                _publish(rng, now, stream, month, editor, themes, sent=not newest_site_wide)
                published += 1
            bar.advance()
    run.count("roundups", published)


def _publish(rng, now, community, month, editor, themes, sent):
    """Compile the month, write an intro, publish (the sending receiver is quiet), then date it in its month."""
    roundup = compile_roundup(community, month, editor).roundup
    draft = roundup.get_latest_revision_as_object()
    draft.intro = "".join(f"<p>{text(rng, themes, rng.randint(40, 80))}</p>" for _ in range(2))
    draft.save_revision(user=editor).publish(user=editor, skip_permission_checks=True)
    _, month_end = month_bounds(month)
    at = min(month_end.timestamp() + 2 * DAY + 9 * 3600, now - 3600)
    RoundupPage.objects.filter(pk=roundup.pk).update(
        first_published_at=as_datetime(at), last_published_at=as_datetime(at),
        compiled_at=as_datetime(at - DAY), sending_started_at=as_datetime(at) if sent else None,
    )
