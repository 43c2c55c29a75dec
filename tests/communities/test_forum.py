import pytest
from django.db.models import F
from bs4 import BeautifulSoup

from communities import services
from communities.models import POSTS_PER_PAGE, Membership, Post, PostRevision, Thread, Watch
from tests.factories import add_community, add_member

pytestmark = pytest.mark.django_db

# Finding the community page: the site, the pages on the path, the community as its own class (4); session, user
# (with what the header and permissions ask of them), memberships; then one query per concern, never per row:
# the thread (with the read marker and the watch) and its posts; the thread count, the threads (with read markers)
# and the forum watch.
THREAD_PAGE_QUERIES = 9
FORUM_LIST_QUERIES = 10


@pytest.fixture
def forum(community_factory):
    return community_factory("public")


def add_posts(thread, author, count):
    """Many posts at once, with the thread's counters kept as the service would keep them."""
    thread.refresh_from_db()
    start = thread.post_count + 1
    Post.objects.bulk_create(
        Post(thread=thread, position=start + n, author=author, body=f"Reply *{n}*", body_html=f"<p>Reply <em>{n}</em></p>")
        for n in range(count)
    )
    Thread.objects.filter(pk=thread.pk).update(post_count=F("post_count") + count, reply_count=F("reply_count") + count)
    thread.refresh_from_db()


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def test_member_starts_a_thread_and_lands_on_it(client, forum, people):
    community, _ = forum
    client.force_login(people["member"])
    response = client.post(community.url + "forum/new/", {"title": "How do you measure avoidable contact?", "body": "We use **NI14** sampling."})
    thread = Thread.objects.get(title="How do you measure avoidable contact?")
    assert response.url == thread.get_absolute_url() == f"/communities/public-community/forum/{thread.pk}-how-do-you-measure-avoidable-contact/"
    page = soup(client.get(response.url))
    assert page.h1.get_text() == "How do you measure avoidable contact?"
    assert page.find(class_="post-body").strong.get_text() == "NI14"


def test_thread_list_puts_pinned_first_then_latest_activity(client, forum, people):
    community, first = forum
    second = services.start_thread(people["member"], community, "A newer thread", "Body text here.")
    pinned = services.start_thread(people["member"], community, "Read me first: forum guide", "Body text here.")
    services.reply(people["member"], first, "Bumping the oldest thread.")
    services.moderate_thread(people["facilitator"], pinned, "pin")
    titles = [a.get_text() for a in soup(client.get(community.url + "forum/")).select(".thread-link")]
    assert titles == ["Read me first: forum guide", first.title, "A newer thread"]
    assert second.title in titles


def test_thread_list_shows_reply_counts_last_poster_and_unread_markers(client, forum, people):
    community, thread = forum
    client.force_login(people["member"])
    row = soup(client.get(community.url + "forum/")).find("a", string=thread.title).find_parent("tr")
    assert row.find(class_="num").get_text() == "1"
    assert "Fay Facilitator" in row.get_text()
    assert "unread" in row["class"]  # the facilitator's reply is new to the member
    client.get(thread.get_absolute_url())
    row = soup(client.get(community.url + "forum/")).find("a", string=thread.title).find_parent("tr")
    assert "unread" not in row["class"]


def test_reply_with_quote_prefills_the_quote_and_links_back(client, forum, people):
    community, thread = forum
    opening = thread.posts.get(position=1)
    client.force_login(people["facilitator"])
    form = soup(client.get(thread.get_absolute_url(), {"quote": opening.pk})).find("form", action=f"{community.url}forum/{thread.pk}/reply/")
    body = form.find("textarea").get_text().lstrip("\n")  # browsers drop the newline after <textarea>
    assert body.startswith("Mo Member wrote:\n\n> Opening post body text.")
    response = client.post(f"{community.url}forum/{thread.pk}/reply/", {"body": body + "Agreed.", "quoted_post": opening.pk})
    reply = Post.objects.get(thread=thread, position=3)
    assert reply.quoted_post == opening
    assert response.url == reply.get_absolute_url()
    source = soup(client.get(thread.get_absolute_url())).find(id=reply.anchor).find(class_="quote-source")
    assert source.a["href"] == opening.get_absolute_url()


def test_permalink_of_a_post_lands_on_its_page_and_anchor(client, forum, people):
    community, thread = forum
    add_posts(thread, people["member"], POSTS_PER_PAGE + 5)
    late = Post.objects.get(thread=thread, position=POSTS_PER_PAGE + 4)
    response = client.get(f"{community.url}forum/posts/{late.pk}/")
    assert response.url == f"{thread.get_absolute_url()}?page=2#post-{late.pk}"
    assert soup(client.get(thread.get_absolute_url(), {"page": 2})).find(id=f"post-{late.pk}")


def test_editing_keeps_the_old_text_for_facilitators_and_marks_the_post_edited(client, forum, people):
    community, thread = forum
    opening = thread.posts.get(position=1)
    client.force_login(people["member"])
    client.post(f"{community.url}forum/posts/{opening.pk}/edit/", {"body": "Corrected opening post."})
    opening.refresh_from_db()
    assert opening.body == "Corrected opening post." and opening.edited_at
    assert PostRevision.objects.get(post=opening).body == "Opening post body text."
    assert "edited" in soup(client.get(thread.get_absolute_url())).find(id=opening.anchor).get_text()
    assert client.get(f"{community.url}forum/posts/{opening.pk}/history/").status_code == 403
    client.force_login(people["facilitator"])
    history = client.get(f"{community.url}forum/posts/{opening.pk}/history/")
    assert b"Opening post body text." in history.content


def test_nobody_edits_someone_elses_post(client, forum, people):
    community, thread = forum
    reply = thread.posts.get(position=2)
    client.force_login(people["member"])
    assert client.post(f"{community.url}forum/posts/{reply.pk}/edit/", {"body": "Hijacked"}).status_code == 403
    reply.refresh_from_db()
    assert reply.body == "A reply from the facilitator."


def test_deleting_a_post_leaves_a_marker_and_keeps_the_thread_coherent(client, forum, people):
    community, thread = forum
    reply = thread.posts.get(position=2)
    client.force_login(people["facilitator"])
    client.post(f"{community.url}forum/posts/{reply.pk}/delete/")
    thread.refresh_from_db()
    assert thread.reply_count == 0 and thread.post_count == 2
    page = soup(client.get(thread.get_absolute_url()))
    assert "deleted by its author" in page.find(id=reply.anchor).get_text()
    assert "A reply from the facilitator." not in page.get_text()


def test_hidden_post_shows_a_marker_to_members_and_the_text_to_facilitators(client, forum, people):
    community, thread = forum
    opening = thread.posts.get(position=1)
    services.set_post_hidden(people["facilitator"], opening, True)
    client.force_login(people["member"])
    assert b"Opening post body text." not in client.get(thread.get_absolute_url()).content
    client.force_login(people["facilitator"])
    post = soup(client.get(thread.get_absolute_url())).find(id=opening.anchor)
    assert "Opening post body text." in post.get_text() and "Hidden by a facilitator" in post.get_text()


def test_locked_thread_refuses_replies_with_a_clear_message(client, forum, people):
    community, thread = forum
    services.moderate_thread(people["facilitator"], thread, "lock")
    client.force_login(people["member"])
    page = client.get(thread.get_absolute_url())
    assert b"This thread is locked" in page.content
    response = client.post(f"{community.url}forum/{thread.pk}/reply/", {"body": "Can I still reply?"}, follow=True)
    assert b"This thread is locked" in response.content
    assert thread.posts.count() == 2


def test_a_double_submitted_reply_creates_one_post(client, forum, people):
    community, thread = forum
    client.force_login(people["member"])
    data = {"body": "Posting twice by accident.", "submission_key": "0b6f5b1c-47cd-4d8e-9d0c-5b7d5f1a2c3e"}
    first = client.post(f"{community.url}forum/{thread.pk}/reply/", data)
    second = client.post(f"{community.url}forum/{thread.pk}/reply/", data)
    assert first.url == second.url
    assert thread.posts.filter(body="Posting twice by accident.").count() == 1


def test_a_double_submitted_new_thread_creates_one_thread(client, forum, people):
    community, _ = forum
    client.force_login(people["member"])
    data = {"title": "Benchmarking clubs", "body": "Who runs one?", "submission_key": "6f1c1c83-0c5b-4e09-8d7c-57c9c4b1d7aa"}
    assert client.post(community.url + "forum/new/", data).url == client.post(community.url + "forum/new/", data).url
    assert Thread.objects.filter(title="Benchmarking clubs").count() == 1


def test_too_long_or_empty_text_is_refused_and_what_was_typed_is_kept(client, forum, people):
    community, _ = forum
    client.force_login(people["member"])
    response = client.post(community.url + "forum/new/", {"title": "Hm", "body": "x" * 10_001})
    assert response.status_code == 200
    page = soup(response)
    assert "Ensure this value has at least 5 characters" in page.find(class_="error-summary").get_text()
    assert "at most 10000 characters" in page.get_text()
    assert page.find("input", attrs={"name": "title"})["value"] == "Hm"
    assert page.find("textarea", attrs={"name": "body"}).get_text().strip() == "x" * 10_001


def test_posting_needs_a_verified_email(client, forum, people):
    community, thread = forum
    client.force_login(people["unverified"])
    page = client.get(thread.get_absolute_url())
    assert b"verify your email address before posting" in page.content
    client.post(f"{community.url}forum/{thread.pk}/reply/", {"body": "Not yet allowed."})
    assert not thread.posts.filter(body="Not yet allowed.").exists()
    assert client.get(community.url + "forum/new/").status_code == 403


def test_posting_too_fast_is_refused_and_the_text_is_kept(client, forum, people, settings):
    settings.FORUM_POSTS_PER_MINUTE = 2
    community, thread = forum
    client.force_login(people["member"])
    for number in range(2):
        client.post(f"{community.url}forum/{thread.pk}/reply/", {"body": f"Quick reply {number}"})
    response = client.post(f"{community.url}forum/{thread.pk}/reply/", {"body": "One too many"})
    assert response.status_code == 200
    assert b"posting very quickly" in response.content
    assert b"One too many" in response.content
    assert not thread.posts.filter(body="One too many").exists()


def test_starting_or_replying_watches_the_thread_and_watching_can_be_stopped(client, forum, people):
    community, thread = forum
    assert Watch.objects.filter(user=people["facilitator"], thread=thread).exists()
    client.force_login(people["facilitator"])
    client.post(f"{community.url}forum/{thread.pk}/unwatch/")
    assert not Watch.objects.filter(user=people["facilitator"], thread=thread).exists()
    client.post(community.url + "forum/watch/", {"watch": "1"})
    assert Watch.objects.filter(user=people["facilitator"], community=community).exists()


def test_member_joins_an_open_community_and_leaves_it(client, forum, people):
    community, _ = forum
    client.force_login(people["outsider"])
    client.post(community.url + "join/")
    assert Membership.objects.get(user=people["outsider"], community=community).is_active
    community.refresh_from_db()
    assert community.member_count == 4  # the fixture's three members and the newcomer
    client.post(community.url + "leave/")
    assert not Membership.objects.filter(user=people["outsider"], community=community).exists()


def test_approval_community_takes_a_request_that_a_facilitator_approves(client, community_factory, people):
    community, _ = community_factory("members", join_policy="approval")
    client.force_login(people["outsider"])
    client.post(community.url + "join/", {"request_message": "I lead on performance at Westmarsh."})
    request = Membership.objects.get(user=people["outsider"], community=community)
    assert request.status == Membership.Status.PENDING
    assert client.get(community.url + "forum/").status_code == 403
    client.force_login(people["facilitator"])
    page = client.get(community.url + "requests/")
    assert b"I lead on performance at Westmarsh." in page.content
    client.post(community.url + "requests/", {"membership": request.pk, "decision": "approve", "message": "Welcome!"})
    request.refresh_from_db()
    assert request.is_active and request.decided_by == people["facilitator"]
    client.force_login(people["outsider"])
    assert client.get(community.url + "forum/").status_code == 200


def test_facilitator_moves_a_thread_to_another_community_they_facilitate(client, forum, people, home):
    community, thread = forum
    target = add_community(home, "target-community")
    add_member(people["facilitator"], target, Membership.Role.FACILITATOR)
    client.force_login(people["facilitator"])
    client.post(f"{community.url}forum/{thread.pk}/move/", {"target": target.pk})
    thread.refresh_from_db()
    assert thread.community_id == target.pk
    assert client.get(f"{target.url}forum/{thread.pk}-{thread.slug}/").status_code == 200


def test_community_feed_lists_new_threads_of_a_public_community(client, forum):
    community, thread = forum
    response = client.get(community.url + "feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    assert thread.title.encode() in response.content


@pytest.mark.parametrize("posts", [2, 50])
def test_thread_page_costs_the_same_queries_whatever_its_length(client, forum, people, posts, django_assert_num_queries):
    community, thread = forum
    add_posts(thread, people["member"], posts - 2)
    client.force_login(people["member"])
    client.get(thread.get_absolute_url())  # warm the site-root cache
    with django_assert_num_queries(THREAD_PAGE_QUERIES):
        client.get(thread.get_absolute_url())


@pytest.mark.parametrize("threads", [2, 50])
def test_forum_list_costs_the_same_queries_whatever_its_length(client, forum, people, threads, settings, django_assert_num_queries):
    settings.FORUM_POSTS_PER_MINUTE = 1000
    community, _ = forum
    for number in range(threads - 1):
        services.start_thread(people["facilitator"], community, f"Thread number {number}", "Body text here.")
    client.force_login(people["member"])
    client.get(community.url + "forum/")
    with django_assert_num_queries(FORUM_LIST_QUERIES):
        client.get(community.url + "forum/")

