"""Every forum URL and action, for every role, in public, members-only and private communities.

Each cell names the status a role must get. Wherever a role is refused, the private thread's
title and text must not appear in the response.
"""

import pytest

from communities.models import Thread

pytestmark = pytest.mark.django_db

ROLES = ["visitor", "outsider", "member", "facilitator", "other_facilitator", "staff"]
VISIBILITIES = ["public", "members", "private"]

# Shorthand for the expected outcome of each role, in ROLES order.
OPEN_TO_ALL = (200, 200, 200, 200, 200, 200)
MEMBERS = (302, 403, 200, 200, 403, 200)
HIDDEN_MEMBERS = (404, 404, 200, 200, 404, 200)
POSTERS = (302, 403, 200, 200, 403, 200)
HIDDEN_POSTERS = (404, 404, 200, 200, 404, 200)
MODERATORS = (302, 403, 403, 200, 403, 200)
HIDDEN_MODERATORS = (404, 404, 403, 200, 404, 200)
# Actions answer with a redirect back to the thread when done.
ACTS = (302, 403, 302, 302, 403, 302)
HIDDEN_ACTS = (404, 404, 302, 302, 404, 302)
MODERATES = (302, 403, 403, 302, 403, 302)
HIDDEN_MODERATES = (404, 404, 403, 302, 404, 302)
FEED = {"public": OPEN_TO_ALL, "members": (302, 403, 403, 403, 403, 403), "private": (404, 404, 403, 403, 404, 403)}

# (name, method, url template, expected per visibility). {c} community URL, {t} thread path, {p} opening post id.
SURFACES = [
    ("about", "get", "{c}", {"public": OPEN_TO_ALL, "members": OPEN_TO_ALL, "private": HIDDEN_MEMBERS}),
    ("forum list", "get", "{c}forum/", {"public": OPEN_TO_ALL, "members": MEMBERS, "private": HIDDEN_MEMBERS}),
    ("thread", "get", "{c}forum/{t}/", {"public": OPEN_TO_ALL, "members": MEMBERS, "private": HIDDEN_MEMBERS}),
    ("permalink", "get", "{c}forum/posts/{p}/", {"public": (302,) * 6, "members": ACTS, "private": HIDDEN_ACTS}),
    ("new thread form", "get", "{c}forum/new/", {"public": POSTERS, "members": POSTERS, "private": HIDDEN_POSTERS}),
    ("members list", "get", "{c}members/", {"public": MEMBERS, "members": MEMBERS, "private": HIDDEN_MEMBERS}),
    ("join requests", "get", "{c}requests/", {"public": MODERATORS, "members": MODERATORS, "private": HIDDEN_MODERATORS}),
    ("flag queue", "get", "{c}flags/", {"public": MODERATORS, "members": MODERATORS, "private": HIDDEN_MODERATORS}),
    ("moderation log", "get", "{c}log/", {"public": MODERATORS, "members": MODERATORS, "private": HIDDEN_MODERATORS}),
    ("post history", "get", "{c}forum/posts/{p}/history/", {"public": MODERATORS, "members": MODERATORS, "private": HIDDEN_MODERATORS}),
    ("feed", "get", "{c}feed/", FEED),
    ("reply", "post", "{c}forum/{id}/reply/", {"public": ACTS, "members": ACTS, "private": HIDDEN_ACTS}),
    ("pin", "post", "{c}forum/{id}/pin/", {"public": MODERATES, "members": MODERATES, "private": HIDDEN_MODERATES}),
    ("hide post", "post", "{c}forum/posts/{p}/hide/", {"public": MODERATES, "members": MODERATES, "private": HIDDEN_MODERATES}),
    ("flag post", "get", "{c}forum/posts/{p}/flag/", {"public": POSTERS, "members": POSTERS, "private": HIDDEN_POSTERS}),
]

CASES = [
    pytest.param(name, method, url, visibility, role, expected[visibility][index], id=f"{name}-{visibility}-{role}")
    for name, method, url, expected in SURFACES
    for visibility in VISIBILITIES
    for index, role in enumerate(ROLES)
]


@pytest.mark.parametrize("name, method, url, visibility, role, expected", CASES)
def test_permission_matrix(client, community_factory, people, name, method, url, visibility, role, expected):
    community, thread = community_factory(visibility)
    thread = Thread.objects.get(pk=thread.pk)
    opening = thread.posts.get(position=1)
    if role != "visitor":
        client.force_login(people[role])
    target = url.format(c=community.url, t=f"{thread.pk}-{thread.slug}", p=opening.pk, id=thread.pk)
    data = {"body": "A reply from the matrix."} if name == "reply" else {}
    response = getattr(client, method)(target, data)
    assert response.status_code == expected, f"{role} {method.upper()} {target}"
    if expected in {302, 403, 404} and not (expected == 302 and response.url.startswith(community.url)):
        assert b"Secret" not in response.content and b"Opening post body text" not in response.content
    if expected == 302 and not response.url.startswith("/accounts/login/"):
        assert response.url.startswith(community.url)


def test_private_community_is_invisible_in_listings_to_outsiders(client, community_factory, people):
    community_factory("private")
    for role in ["visitor", "outsider", "other_facilitator"]:
        client.logout()
        if role != "visitor":
            client.force_login(people[role])
        for url in ["/", "/communities/"]:
            assert b"Private Community" not in client.get(url).content, (role, url)
    client.force_login(people["member"])
    assert b"Private Community" in client.get("/communities/").content


def test_refused_actions_change_nothing(client, community_factory, people):
    community, thread = community_factory("public")
    client.force_login(people["other_facilitator"])
    client.post(f"{community.url}forum/{thread.pk}/pin/")
    client.post(f"{community.url}forum/{thread.pk}/reply/", {"body": "Not my community."})
    thread.refresh_from_db()
    assert not thread.is_pinned
    assert not thread.posts.filter(body="Not my community.").exists()
