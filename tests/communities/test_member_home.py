"""The member home at /my/: what is new since the last visit, watched threads and notifications."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from communities import queries, services
from communities.models import Membership, Notification, Post, Profile, Thread, ThreadRead, Watch
from tests.factories import PASSWORD, add_community, add_member
from tests.library.conftest import add_deck, publish_case_study

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_posting_limit")]

HOME = "/my/"
# Session, the user (with profile and unread count), the visit mark, memberships, communities, the news (each
# community's most active threads and its totals), those threads and watched threads (each with the read marker),
# first unread posts; the library: new decks, new case studies, their topics; the notifications, watched forums.
HOME_QUERIES = 14


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def backdate(thread, days):
    """Make a whole thread, every post in it, look as if it happened `days` ago."""
    when = days_ago(days)
    Post.objects.filter(thread=thread).update(created_at=when)
    Thread.objects.filter(pk=thread.pk).update(created_at=when, last_post_at=when)


def backdate_post(post, days):
    post = Post.objects.get(pk=post.pk)
    Post.objects.filter(pk=post.pk).update(created_at=days_ago(days))
    return post


def left_home(user, hours_ago):
    """The member's last look at /my/ was this many hours ago (a previous visit, as far as the page can tell)."""
    Profile.objects.filter(user=user).update(home_seen_at=timezone.now() - timedelta(hours=hours_ago))


def section(page, title_id):
    return page.find(attrs={"aria-labelledby": title_id})


def news_titles(response):
    news = section(soup(response), "news-title")
    return [link.get_text(strip=True) for link in news.select(".home-threads li > a")]


@pytest.fixture
def public(community_factory, people):
    """A public community: Mo (member) started a thread 30 days ago and Fay (facilitator) replied then."""
    community, thread = community_factory("public")
    backdate(thread, 30)
    return community, thread


@pytest.fixture
def mo(client, people):
    client.force_login(people["member"])
    return people["member"]


# Getting there

def test_a_visitor_is_asked_to_sign_in_and_comes_back_here(client, home):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/my/"


def test_signing_in_lands_on_the_member_home_but_a_next_still_wins(client, member, home):
    assert client.post("/accounts/login/", {"login": member.email, "password": PASSWORD}).url == "/my/"
    client.logout()
    response = client.post("/accounts/login/?next=/communities/", {"login": member.email, "password": PASSWORD})
    assert response.url == "/communities/"


def test_the_account_menu_links_to_the_member_home(client, mo, home):
    menu = soup(client.get("/communities/")).select_one(".account-menu")
    assert menu.find("a", string="My home")["href"] == HOME


# Since my last visit

def test_the_first_visit_shows_the_last_fourteen_days(client, public, people, mo):
    community, old_thread = public
    fresh = services.start_thread(people["facilitator"], community, "Call-back promises that we keep", "How do you track them?")
    backdate(fresh, 3)
    response = client.get(HOME)
    assert "in the last 14 days" in soup(response).select_one(".home-window").get_text()
    assert news_titles(response) == ["Call-back promises that we keep"]
    assert old_thread.title not in section(soup(response), "news-title").get_text()


def test_a_later_visit_shows_only_what_arrived_since_the_previous_one(client, public, people, mo):
    community, thread = public
    client.get(HOME)
    seen = services.start_thread(people["facilitator"], community, "Seen on the first visit", "Body.")
    backdate(seen, 1)
    left_home(mo, hours_ago=2)
    services.reply(people["facilitator"], thread, "Coming back to this after the audit.")

    response = client.get(HOME)
    window = soup(response).select_one(".home-window")
    assert "since your last visit on" in window.get_text()
    assert window.time["datetime"] == Profile.objects.get(user=mo).home_new_since.astimezone(timezone.get_current_timezone()).isoformat()
    assert news_titles(response) == [thread.title]
    assert "1 new reply" in section(soup(response), "news-title").get_text()


def test_times_read_as_the_rest_of_the_site_says_them_with_the_exact_moment_on_hover(client, public, people, mo):
    community, thread = public
    fresh = services.start_thread(people["facilitator"], community, "Call-back promises that we keep", "How do you track them?")
    backdate(fresh, 1)
    Watch.objects.create(user=mo, thread=fresh)
    yesterday = days_ago(1).astimezone(timezone.get_current_timezone()).date()
    page = soup(client.get(HOME))
    for title_id in ("news-title", "watched-title"):
        moment = section(page, title_id).select_one(".home-threads time")
        assert moment.get_text() == "yesterday"
        assert moment["datetime"].startswith(yesterday.isoformat())
        assert moment["title"].startswith(f"{yesterday.day} {yesterday:%B %Y} at ")


def test_looking_again_within_the_same_visit_keeps_what_is_new(client, public, people, mo):
    community, thread = public
    client.get(HOME)
    left_home(mo, hours_ago=2)
    services.reply(people["facilitator"], thread, "New since the last visit.")
    assert news_titles(client.get(HOME)) == [thread.title]
    assert news_titles(client.get(HOME)) == [thread.title]  # a reload, or back from the thread


def test_mark_all_as_seen_clears_the_window(client, public, people, mo):
    community, thread = public
    services.reply(people["facilitator"], thread, "A fresh reply.")
    assert news_titles(client.get(HOME)) == [thread.title]

    response = client.post(HOME, follow=True)
    assert response.redirect_chain == [(HOME, 302)]
    assert b"You&#x27;re all caught up" in response.content
    assert news_titles(response) == []
    assert "Nothing new in your community since then." in section(soup(response), "news-title").get_text(" ", strip=True)
    assert "since your last visit on" in soup(response).select_one(".home-window").get_text()


def test_visitors_cannot_mark_anything_as_seen(client, home):
    response = client.post(HOME)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_news_is_grouped_by_community_with_counts_and_the_busiest_threads(client, home, public, people, mo):
    community, thread = public
    second = add_community(home, "scrutiny", title="Scrutiny Network")
    add_member(mo, second)
    add_member(people["facilitator"], second, Membership.Role.FACILITATOR)
    for number in range(7):
        services.start_thread(people["facilitator"], second, f"Scrutiny question {number}", "Body.")
    services.reply(people["facilitator"], thread, "One more thought.")
    services.reply(people["facilitator"], thread, "And another.")

    page = soup(client.get(HOME))
    groups = section(page, "news-title").select(".home-community")
    assert [group.h3.get_text(strip=True) for group in groups] == [community.title, "Scrutiny Network"]
    assert groups[0].select_one(".meta").get_text(" ", strip=True) == "0 new threads · 2 new replies"
    assert groups[1].select_one(".meta").get_text(" ", strip=True) == "7 new threads · 0 new replies"
    shown = [link.get_text() for link in groups[1].select(".home-threads li > a")]
    assert shown == [f"Scrutiny question {number}" for number in (6, 5, 4, 3, 2)]  # the latest five
    more = groups[1].select_one(".home-more a")
    assert more.get_text() == "2 more active threads in Scrutiny Network"
    assert more["href"] == f"{second.url}forum/"


def test_a_thread_links_to_the_first_post_the_member_has_not_read(client, public, people, mo):
    community, thread = public
    first_new = services.reply(people["facilitator"], thread, "First new reply.")
    services.reply(people["facilitator"], thread, "Second new reply.")
    ThreadRead.objects.update_or_create(user=mo, thread=thread, defaults={"last_read_position": 2})

    link = section(soup(client.get(HOME)), "news-title").select_one(".home-threads li > a")
    assert link["href"] == first_new.get_absolute_url()

    ThreadRead.objects.filter(user=mo, thread=thread).update(last_read_position=4)  # read it all since
    item = section(soup(client.get(HOME)), "news-title").select_one(".home-threads li")
    assert item.a["href"] == thread.get_absolute_url()
    assert "Read" in item.select_one(".badge").get_text()


def test_own_posts_are_not_news(client, public, people, mo):
    community, thread = public
    services.start_thread(mo, community, "My own question", "Body.")
    services.reply(mo, thread, "My own reply.")
    assert news_titles(client.get(HOME)) == []


# Only what the member may read

def test_communities_the_member_is_not_active_in_stay_out(client, home, public, people, mo):
    private = add_community(home, "leads", "private", title="Performance Leads")
    add_member(people["facilitator"], private, Membership.Role.FACILITATOR)
    services.start_thread(people["facilitator"], private, "Quillback restructure plans", "Confidential.")
    elsewhere_public = add_community(home, "open-data", title="Open Data")
    add_member(people["facilitator"], elsewhere_public)
    services.start_thread(people["facilitator"], elsewhere_public, "Open data thread", "Public, but Mo never joined.")
    pending = add_community(home, "pending-place", "members", title="Pending Place")
    add_member(people["facilitator"], pending)
    add_member(mo, pending, status=Membership.Status.PENDING)
    services.start_thread(people["facilitator"], pending, "Behind the join request", "Members only.")

    content = client.get(HOME).content.decode()
    for hidden in ("Quillback restructure plans", "Performance Leads", "Open data thread", "Behind the join request"):
        assert hidden not in content


def test_news_asked_about_a_community_the_member_may_not_read_leaves_it_out(home, public, people, mo):
    """community_news() decides readability itself, whatever communities its caller hands it."""
    community, _ = public
    private = add_community(home, "leads", "private", title="Performance Leads")
    add_member(people["facilitator"], private, Membership.Role.FACILITATOR)
    services.start_thread(people["facilitator"], private, "Quillback restructure plans", "Confidential.")
    services.start_thread(people["facilitator"], community, "Open to all", "Body.")

    news = queries.community_news(mo, [community, private], days_ago(1))

    assert [(group.community, [thread.title for thread in group.threads]) for group in news] == [(community, ["Open to all"])]
    assert queries.community_news(mo, [private], days_ago(1)) == []


def test_hidden_threads_and_hidden_or_deleted_posts_never_show(client, public, people, mo):
    community, thread = public
    hidden_thread = services.start_thread(people["facilitator"], community, "Quillback hidden thread", "Body.")
    Thread.objects.filter(pk=hidden_thread.pk).update(is_hidden=True)
    hidden_reply = services.reply(people["facilitator"], thread, "A post a facilitator hid.")
    Post.objects.filter(pk=hidden_reply.pk).update(is_hidden=True)
    deleted_reply = services.reply(people["facilitator"], thread, "A post its author deleted.")
    Post.objects.filter(pk=deleted_reply.pk).update(is_deleted=True)

    response = client.get(HOME)
    assert "Quillback hidden thread" not in response.content.decode()
    assert news_titles(response) == []


def test_library_shows_new_items_shared_with_my_communities_or_the_whole_site(client, home, public, people, mo):
    community, _ = public
    private = add_community(home, "leads", "private")
    library = home.get_children().get(slug="library").specific
    add_deck(community, title="Deck for my community")
    add_deck(None, title="Deck for the whole site")
    add_deck(private, title="Quillback private deck")
    old = add_deck(community, title="Deck from last year")
    type(old).objects.filter(pk=old.pk).update(created_at=days_ago(400))
    publish_case_study(library, slug="published", title="Published case study")
    publish_case_study(library, slug="withdrawn", title="Withdrawn case study").unpublish()

    library_section = section(soup(client.get(HOME)), "library-title")
    titles = {link.get_text(strip=True) for link in library_section.select(".card-title a")}
    assert titles == {"Deck for my community", "Deck for the whole site", "Published case study"}


# Watched threads and forums

def test_watched_threads_show_unread_counts_and_open_at_the_first_unread_post(client, public, people, mo):
    community, thread = public  # Mo started it, so Mo watches it
    ThreadRead.objects.update_or_create(user=mo, thread=thread, defaults={"last_read_position": 2})
    first_unread = services.reply(people["facilitator"], thread, "Third post.")
    services.reply(people["facilitator"], thread, "Fourth post.")
    read_thread = services.start_thread(people["facilitator"], community, "Already read", "Body.")
    Watch.objects.create(user=mo, thread=read_thread)
    ThreadRead.objects.create(user=mo, thread=read_thread, last_read_position=1)

    watched = section(soup(client.get(HOME)), "watched-title")
    items = watched.select(".home-threads li")
    assert [item.a.get_text() for item in items[:2]] == ["Already read", thread.title]
    assert items[1].select_one(".badge").get_text() == "2 unread"
    assert items[1].a["href"] == first_unread.get_absolute_url()
    assert items[0].select_one(".badge") is None
    assert items[0].a["href"] == read_thread.get_absolute_url()


def test_watched_threads_the_member_can_no_longer_read_drop_out(client, home, people, mo):
    members_only = add_community(home, "closed", "members", title="Closed Circle")
    add_member(mo, members_only)
    thread = services.start_thread(mo, members_only, "Quillback closed thread", "Body.")
    Membership.objects.filter(user=mo, community=members_only).update(status=Membership.Status.REMOVED)
    assert Watch.objects.filter(user=mo, thread=thread).exists()
    assert "Quillback closed thread" not in client.get(HOME).content.decode()


def test_watched_forums_count_threads_others_started_since_the_last_visit(client, home, people, mo):
    forum = add_community(home, "open-data", title="Open Data")  # public: Mo watches without joining
    Watch.objects.create(user=mo, community=forum)
    add_member(people["facilitator"], forum)
    services.start_thread(people["facilitator"], forum, "Publishing call volumes", "Body.")
    services.start_thread(people["facilitator"], forum, "Open data licences", "Body.")

    item = section(soup(client.get(HOME)), "watched-title").select("ul")[-1].li
    assert item.a.get_text() == "Open Data" and item.a["href"] == f"{forum.url}forum/"
    assert item.select_one(".meta").get_text() == "2 new threads"


def test_watched_forums_leave_out_older_threads_with_new_replies_hidden_threads_and_the_members_own(client, home, people, mo):
    forum = add_community(home, "open-data", title="Open Data")
    Watch.objects.create(user=mo, community=forum)
    add_member(people["facilitator"], forum)
    add_member(mo, forum)
    older = services.start_thread(people["facilitator"], forum, "Older thread", "Body.")
    backdate(older, 3)
    left_home(mo, hours_ago=24)
    services.reply(people["facilitator"], older, "A new reply to an older thread.")
    hidden = services.start_thread(people["facilitator"], forum, "Hidden thread", "Body.")
    Thread.objects.filter(pk=hidden.pk).update(is_hidden=True)
    services.start_thread(mo, forum, "Mo's own thread", "Body.")
    services.start_thread(people["facilitator"], forum, "The one new thread", "Body.")

    item = section(soup(client.get(HOME)), "watched-title").select("ul")[-1].li
    assert item.a.get_text() == "Open Data"
    assert item.select_one(".meta").get_text() == "1 new thread"


# Notifications

def test_the_latest_ten_notifications_show_with_unread_ones_marked(client, public, people, mo):
    community, thread = public
    for number in range(12):
        services.reply(people["facilitator"], thread, f"Reply number {number}.")
    newest_three = Notification.objects.filter(recipient=mo).order_by("-created_at", "-pk").values_list("pk", flat=True)[:3]
    Notification.objects.filter(recipient=mo).exclude(pk__in=list(newest_three)).update(read_at=timezone.now())

    notes = section(soup(client.get(HOME)), "notifications-title")
    items = notes.select(".notification")
    assert len(items) == 10
    assert len(notes.select(".notification-unread")) == 3
    newest = Notification.objects.filter(recipient=mo).latest("created_at", "pk")
    assert items[0].a["href"] == f"/notifications/{newest.pk}/"
    assert items[0].a.get_text() == f"Fay Facilitator replied in “{thread.title}”"
    assert notes.select_one(".home-more a")["href"] == "/notifications/"
    assert "3 unread" in notes.select_one(".home-more a").get_text()


# Empty states

def test_a_member_with_no_communities_is_pointed_to_the_communities(client, member, home):
    client.force_login(member)
    page = soup(client.get(HOME))
    news = section(page, "news-title")
    assert "You haven't joined a community yet" in news.get_text()
    assert news.find("a", string="Browse communities")["href"] == "/communities/"
    assert "You aren't watching any threads" in section(page, "watched-title").get_text()
    assert "No notifications yet" in section(page, "notifications-title").get_text()
    assert "No new slide decks or case studies" in section(page, "library-title").get_text()
    assert not page.find("button", string="Mark all as seen")


# Cost

@pytest.mark.parametrize("size", [1, 6])
def test_the_member_home_costs_the_same_queries_whatever_its_size(client, home, people, size, django_assert_num_queries):
    mo, fay = people["member"], people["facilitator"]
    for number in range(size + 1):
        community = add_community(home, f"community-{number}")
        add_member(mo, community)
        add_member(fay, community, Membership.Role.FACILITATOR)
        Watch.objects.create(user=mo, community=community)
        for thread_number in range(size):
            thread = services.start_thread(mo, community, f"Question {number}.{thread_number}", "Body.")
            services.reply(fay, thread, "A reply that notifies Mo.")
            services.start_thread(fay, community, f"Fay asks {number}.{thread_number}", "Body.")
        add_deck(community, title=f"Deck {number}")
    publish_case_study(home.get_children().get(slug="library").specific)
    client.force_login(mo)
    client.get(HOME)  # warm the site-root cache
    with django_assert_num_queries(HOME_QUERIES):
        response = client.get(HOME)
    assert len(section(soup(response), "news-title").select(".home-community")) == size + 1
