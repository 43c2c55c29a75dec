"""The forum's enhanced requests: htmx asks, the view answers with the fragment to swap in.

Plain requests keep answering as without JavaScript (a redirect after a POST); the unhappy paths answer in place
with the text as typed, or with the same refusal a page load would get.
"""

import json

import pytest
from bs4 import BeautifulSoup

from communities import services
from communities.models import POSTS_PER_PAGE, Flag, Post, Watch
from tests.communities.test_forum import add_posts

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
SUBMISSION_KEY = "0b6f5b1c-47cd-4d8e-9d0c-5b7d5f1a2c3e"


@pytest.fixture
def forum(community_factory):
    return community_factory("public")


def htmx_from(url):
    """The headers htmx sends from a page: that it is htmx asking, and the page's URL."""
    return {**HTMX, "HX-Current-URL": f"http://testserver{url}"}


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def reply_url(community, thread):
    return f"{community.url}forum/{thread.pk}/reply/"


# Replying

def test_an_enhanced_reply_comes_back_as_an_empty_form_and_the_new_post_for_the_end_of_the_thread(client, forum, people):
    community, thread = forum
    client.force_login(people["member"])
    response = client.post(reply_url(community, thread), {"body": "We sample **two weeks** of calls.",
                                                          "submission_key": SUBMISSION_KEY},
                           headers=htmx_from(thread.get_absolute_url()))
    assert response.status_code == 200
    post = thread.posts.get(position=3)
    page = soup(response)
    assert "<html" not in response.content.decode()  # a fragment, not the page
    box = page.find("section", id="reply")
    assert box.find("textarea", attrs={"name": "body"}).get_text().strip() == ""
    assert box.find("input", attrs={"name": "submission_key"})["value"] != SUBMISSION_KEY  # a new key for the next reply
    appended = page.find("ol", attrs={"hx-swap-oob": "beforeend:#thread-posts"})
    new_post = appended.find("li", id=post.anchor)
    assert new_post.find(class_="post-body").strong.get_text() == "two weeks"
    assert new_post.has_attr("autofocus") and new_post["tabindex"] == "-1"  # focus moves to what was posted
    assert new_post.find("a", attrs={"data-quote": str(post.pk)}).get_text() == "Quote"
    watch = page.find("form", id="watch-toggle")  # replying watches the thread: the button says so too
    assert watch["hx-swap-oob"] == "true" and watch.button["aria-pressed"] == "true"


def test_a_reply_that_lands_on_another_page_says_where_with_a_link(client, forum, people, no_posting_limit):
    community, thread = forum
    add_posts(thread, people["facilitator"], POSTS_PER_PAGE - thread.post_count)  # page 1 is now full
    client.force_login(people["member"])
    response = client.post(reply_url(community, thread), {"body": "Starting the second page."},
                           headers=htmx_from(thread.get_absolute_url()))
    post = thread.posts.get(body="Starting the second page.")
    page = soup(response)
    assert page.find("ol", attrs={"hx-swap-oob": True}) is None
    note = page.find(class_="notice")
    assert "Your reply is posted on page 2 of this thread." in note.get_text()
    assert note.a["href"] == post.get_absolute_url() == f"{thread.get_absolute_url()}?page=2#{post.anchor}"


def test_a_reply_sent_from_the_last_page_is_added_to_it(client, forum, people, no_posting_limit):
    community, thread = forum
    add_posts(thread, people["facilitator"], POSTS_PER_PAGE)  # 22 posts: page 2 has two
    client.force_login(people["member"])
    response = client.post(reply_url(community, thread), {"body": "Added to page two."},
                           headers=htmx_from(f"{thread.get_absolute_url()}?page=2"))
    post = thread.posts.get(body="Added to page two.")
    assert soup(response).find("ol", attrs={"hx-swap-oob": True}).find("li", id=post.anchor)


def test_an_empty_or_too_long_reply_comes_back_in_place_with_the_error_announced_and_the_text_kept(client, forum, people):
    community, thread = forum
    client.force_login(people["member"])
    for body, error in [("", "This field is required"), ("x" * 10_001, "at most 10000 characters")]:
        response = client.post(reply_url(community, thread), {"body": body}, headers=htmx_from(thread.get_absolute_url()))
        assert response.status_code == 200
        page = soup(response)
        summary = page.find(class_="error-summary")
        assert summary["role"] == "alert" and error in summary.get_text()
        assert page.find("textarea", attrs={"name": "body"}).get_text().strip() == body
        assert page.find("ol", attrs={"hx-swap-oob": True}) is None
    assert thread.posts.count() == 2


def test_a_rate_limited_reply_keeps_its_text_in_place(client, forum, people, settings):
    settings.FORUM_POSTS_PER_MINUTE = 1
    community, thread = forum
    client.force_login(people["member"])
    client.post(reply_url(community, thread), {"body": "The first one."}, headers=HTMX)
    response = client.post(reply_url(community, thread), {"body": "One too many."}, headers=HTMX)
    page = soup(response)
    assert "posting very quickly" in page.find(class_="error-summary").get_text()
    assert page.find("textarea", attrs={"name": "body"}).get_text().strip() == "One too many."
    assert not thread.posts.filter(body="One too many.").exists()


def test_a_reply_to_a_thread_locked_meanwhile_keeps_the_form_and_the_text(client, forum, people):
    community, thread = forum
    client.force_login(people["member"])
    services.moderate_thread(people["facilitator"], thread, "lock")
    response = client.post(reply_url(community, thread), {"body": "Written before the lock."}, headers=HTMX)
    page = soup(response)
    assert "This thread is locked" in page.find(class_="error-summary").get_text()
    assert page.find("textarea", attrs={"name": "body"}).get_text().strip() == "Written before the lock."
    assert thread.posts.count() == 2


def test_an_enhanced_reply_sent_twice_makes_one_post(client, forum, people):
    community, thread = forum
    client.force_login(people["member"])
    data = {"body": "Sent twice by a double click.", "submission_key": SUBMISSION_KEY}
    for _ in range(2):
        assert client.post(reply_url(community, thread), data, headers=HTMX).status_code == 200
    assert thread.posts.filter(body="Sent twice by a double click.").count() == 1


def test_a_plain_reply_still_redirects_to_the_new_post(client, forum, people):
    community, thread = forum
    client.force_login(people["member"])
    response = client.post(reply_url(community, thread), {"body": "Without JavaScript."})
    assert response.status_code == 302
    assert response.url == thread.posts.get(body="Without JavaScript.").get_absolute_url()


@pytest.mark.parametrize("who, status", [("unverified", 403), ("outsider", 403)])
def test_an_enhanced_reply_from_someone_who_may_not_post_is_refused(client, forum, people, who, status):
    community, thread = forum
    client.force_login(people[who])
    response = client.post(reply_url(community, thread), {"body": "Let me in."}, headers=HTMX)
    assert response.status_code == status  # enhance.js then sends the form as a page, which explains
    assert not Post.objects.filter(body="Let me in.").exists()


# Quoting

def test_a_quote_is_fetched_as_the_plain_text_the_reply_box_would_be_prefilled_with(client, forum, people):
    community, thread = forum
    opening = thread.posts.get(position=1)
    services.edit_post(people["member"], opening, "A <b>bold</b> claim.\nSecond line.")
    client.force_login(people["facilitator"])
    prefilled = soup(client.get(thread.get_absolute_url(), {"quote": opening.pk})).find(
        "textarea", attrs={"name": "body"}).get_text().lstrip("\n")
    response = client.get(thread.get_absolute_url(), {"quote": opening.pk}, headers=HTMX)
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "HX-Request" in response["Vary"]
    assert response.content.decode() == prefilled == "Mo Member wrote:\n\n> A <b>bold</b> claim.\n> Second line.\n\n"


def test_a_quote_costs_a_fixed_few_queries(client, forum, people, django_assert_num_queries):
    community, thread = forum
    opening = thread.posts.get(position=1)
    client.force_login(people["facilitator"])
    client.get(thread.get_absolute_url())  # Wagtail's site and routing caches, as for any page after the first
    # Finding the community (site, pages on the path, the community: 4), session, user, membership, the thread,
    # the quoted post
    with django_assert_num_queries(9):
        client.get(thread.get_absolute_url(), {"quote": opening.pk}, headers=HTMX)


def test_a_hidden_deleted_or_unknown_post_cannot_be_quoted(client, forum, people):
    community, thread = forum
    opening, reply = thread.posts.order_by("position")
    services.set_post_hidden(people["facilitator"], opening, True)
    services.delete_post(people["facilitator"], reply)
    client.force_login(people["member"])
    for pk in [opening.pk, reply.pk, 999_999, "x"]:
        assert client.get(thread.get_absolute_url(), {"quote": pk}, headers=HTMX).status_code == 404


def test_a_members_only_thread_cannot_be_quoted_by_an_outsider(client, community_factory, people):
    community, thread = community_factory("members")
    client.force_login(people["outsider"])
    response = client.get(thread.get_absolute_url(), {"quote": thread.posts.get(position=1).pk}, headers=HTMX)
    assert response.status_code == 403
    assert b"Opening post body text." not in response.content


# Watching

def test_watching_a_thread_toggles_the_button_in_place_and_announces_it(client, forum, people):
    community, thread = forum
    client.force_login(people["outsider"])  # public forum: anyone signed in may watch
    response = client.post(f"{community.url}forum/{thread.pk}/watch/", headers=HTMX)
    button = soup(response).find("form").button
    assert button["aria-pressed"] == "true" and button.get_text() == "Watching thread"
    assert soup(response).form["hx-post"] == f"{community.url}forum/{thread.pk}/unwatch/"
    assert json.loads(response["HX-Trigger"]) == {"announce": {"message": "You're watching this thread."}}
    assert Watch.objects.filter(user=people["outsider"], thread=thread).exists()

    response = client.post(f"{community.url}forum/{thread.pk}/unwatch/", headers=HTMX)
    button = soup(response).find("form").button
    assert button["aria-pressed"] == "false" and button.get_text() == "Watch thread"
    assert not Watch.objects.filter(user=people["outsider"], thread=thread).exists()
    assert b"watching this thread" not in client.get(thread.get_absolute_url()).content  # no message left for later


def test_watching_a_forum_toggles_the_button_in_place(client, forum, people):
    community, _ = forum
    client.force_login(people["member"])
    response = client.post(community.url + "forum/watch/", {"watch": "1"}, headers=HTMX)
    form = soup(response).find("form")
    assert form.button["aria-pressed"] == "true" and form.button.get_text() == "Watching this forum"
    assert form.find("input", attrs={"name": "watch"})["value"] == "0"  # pressing again stops watching
    assert json.loads(response["HX-Trigger"])["announce"]["message"] == "You'll hear about new threads here."
    assert Watch.objects.filter(user=people["member"], community=community).exists()


def test_the_thread_page_shows_the_watch_state_as_a_pressed_button(client, forum, people):
    community, thread = forum
    client.force_login(people["member"])  # started the thread, so watching it
    button = soup(client.get(thread.get_absolute_url())).find("button", class_="watch-button")
    assert button["aria-pressed"] == "true" and button.get_text() == "Watching thread"


def test_watching_a_members_only_thread_is_refused_to_outsiders_and_sends_visitors_to_sign_in(client, community_factory, people):
    community, thread = community_factory("members")
    client.force_login(people["outsider"])
    assert client.post(f"{community.url}forum/{thread.pk}/watch/", headers=HTMX).status_code == 403
    client.logout()
    assert client.post(f"{community.url}forum/{thread.pk}/watch/", headers=HTMX)["Location"].startswith("/accounts/login/")
    assert not Watch.objects.filter(user=people["outsider"]).exists()


# Flagging

def flag_url(community, post):
    return f"{community.url}forum/posts/{post.pk}/flag/"


def test_the_flag_form_opens_inline_with_ids_of_its_own(client, forum, people, django_assert_num_queries):
    community, thread = forum
    reply = thread.posts.get(position=2)
    client.force_login(people["member"])
    client.get(thread.get_absolute_url())
    # Finding the community (site, pages on the path, the community: 4), session, user (who knows whether their
    # email is verified), the post, membership
    with django_assert_num_queries(8):
        response = client.get(flag_url(community, reply), headers=HTMX)
    page = soup(response)
    assert "<html" not in response.content.decode()
    assert page.find("h3").get_text() == "Flag this post for the facilitators"
    assert page.form["hx-post"] == flag_url(community, reply)
    assert page.find("textarea", attrs={"name": "note"})["id"] == f"flag-{reply.pk}-note"
    assert page.find("button", attrs={"data-close-panel": True}).get_text() == "Cancel"


def test_the_thread_page_offers_the_inline_flag_form_with_a_link_that_works_without_it(client, forum, people):
    community, thread = forum
    reply = thread.posts.get(position=2)
    client.force_login(people["member"])
    link = soup(client.get(thread.get_absolute_url())).find("a", string="Flag")
    assert link["href"] == link["hx-get"] == flag_url(community, reply)
    assert link["hx-target"] == f"#flag-slot-{reply.pk}" and link["aria-controls"] == f"flag-slot-{reply.pk}"


def test_sending_a_flag_inline_swaps_in_a_confirmation(client, forum, people):
    community, thread = forum
    reply = thread.posts.get(position=2)
    client.force_login(people["member"])
    response = client.post(flag_url(community, reply), {"reason": "off_topic", "note": "Belongs in another thread."},
                           headers=HTMX)
    assert response.status_code == 200
    assert "The facilitators have been asked to look at this post." in soup(response).get_text()
    assert Flag.objects.get(post=reply).note == "Belongs in another thread."
    assert b"asked to look at this post" not in client.get(thread.get_absolute_url()).content  # no message left over


def test_a_flag_without_a_reason_or_flagged_twice_comes_back_in_place_with_the_note_kept(client, forum, people):
    community, thread = forum
    reply = thread.posts.get(position=2)
    client.force_login(people["member"])
    page = soup(client.post(flag_url(community, reply), {"note": "No reason chosen."}, headers=HTMX))
    assert page.find(class_="error-summary")["role"] == "alert"
    assert page.find("textarea", attrs={"name": "note"}).get_text().strip() == "No reason chosen."
    assert not Flag.objects.exists()

    services.flag_post(people["member"], reply, Flag.Reason.SPAM)
    page = soup(client.post(flag_url(community, reply), {"reason": "spam", "note": "Again."}, headers=HTMX))
    assert "You have already flagged this post" in page.find(class_="error-summary").get_text()
    assert Flag.objects.count() == 1


def test_flagging_is_refused_to_those_who_may_not_post(client, forum, people):
    community, thread = forum
    reply = thread.posts.get(position=2)
    client.force_login(people["unverified"])
    assert client.get(flag_url(community, reply), headers=HTMX).status_code == 403
    assert client.post(flag_url(community, reply), {"reason": "spam"}, headers=HTMX).status_code == 403
    assert not Flag.objects.exists()


def test_a_plain_flag_still_redirects_to_the_post_with_a_message(client, forum, people):
    community, thread = forum
    reply = thread.posts.get(position=2)
    client.force_login(people["member"])
    response = client.post(flag_url(community, reply), {"reason": "spam"}, follow=True)
    assert response.redirect_chain[0][0] == reply.get_absolute_url()
    assert b"The facilitators have been asked to look at this post." in response.content
