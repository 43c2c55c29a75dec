import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities import services
from communities.models import Flag, Membership, ModerationLog, Notification, Post, Thread
from communities.permissions import forget_memberships
from tests.factories import add_community, add_member, create_member

Role = Membership.Role

pytestmark = pytest.mark.django_db

Action = ModerationLog.Action

# Finding the page (site, the pages on the path, the community: 4), session, user (with what the account menu
# shows), memberships, open flags, resolved flags: 9 whatever the number of flags.
FLAG_QUEUE_QUERIES = 9


@pytest.fixture
def forum(community_factory):
    return community_factory("public")


@pytest.fixture
def reply(forum):
    _, thread = forum
    return thread.posts.get(position=2)


@pytest.fixture
def flag(reply, people):
    return services.flag_post(people["member"], reply, Flag.Reason.ABUSE, "Calls my team lazy in front of everyone.")


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def flags_url(community):
    return community.url + "flags/"


def only_log_entry():
    return ModerationLog.objects.get()


# Every moderation action leaves a line in the log

@pytest.mark.parametrize("action, logged", [("pin", Action.PIN), ("lock", Action.LOCK), ("hide", Action.HIDE_THREAD)])
def test_thread_moderation_is_logged_with_actor_action_and_thread(forum, people, action, logged):
    community, thread = forum
    services.moderate_thread(people["facilitator"], thread, action)
    entry = only_log_entry()
    assert (entry.actor, entry.action, entry.community, entry.thread) == (people["facilitator"], logged, community, thread)


def test_undoing_a_thread_action_is_logged_too_but_a_no_op_is_not(forum, people):
    _, thread = forum
    services.moderate_thread(people["facilitator"], thread, "lock")
    services.moderate_thread(people["facilitator"], thread, "lock")
    services.moderate_thread(people["facilitator"], thread, "unlock")
    assert list(ModerationLog.objects.order_by("pk").values_list("action", flat=True)) == [Action.LOCK, Action.UNLOCK]


def test_hiding_a_post_is_logged_with_the_post(forum, reply, people):
    community, thread = forum
    services.set_post_hidden(people["facilitator"], reply, True)
    entry = only_log_entry()
    assert (entry.actor, entry.action, entry.community, entry.thread, entry.post) == (
        people["facilitator"], Action.HIDE_POST, community, thread, reply
    )


def test_moving_a_thread_is_logged_in_the_community_it_left(forum, people, home):
    community, thread = forum
    target = add_community(home, "scrutiny-officers", title="Scrutiny Officers")
    add_member(people["facilitator"], target, Role.FACILITATOR)
    forget_memberships(people["facilitator"])
    services.move_thread(people["facilitator"], thread, target)
    entry = only_log_entry()
    assert (entry.actor, entry.action, entry.community, entry.thread) == (people["facilitator"], Action.MOVE, community, thread)
    assert entry.detail == "to Scrutiny Officers"
    assert Thread.objects.get(pk=thread.pk).community_id == target.pk


def test_removing_a_member_is_logged_with_the_member(forum, people):
    community, _ = forum
    removed = Membership.objects.get(user=people["member"], community=community)
    services.remove_member(people["facilitator"], removed, "Repeated personal attacks.")
    entry = only_log_entry()
    assert (entry.actor, entry.action, entry.community, entry.target_user, entry.detail) == (
        people["facilitator"], Action.REMOVE_MEMBER, community, people["member"], "Repeated personal attacks."
    )
    assert Membership.objects.get(pk=removed.pk).status == Membership.Status.REMOVED


# Only this community's facilitators (and staff) may moderate

def moderation_actions(community, thread, reply, flag, people):
    """Every moderation service, as callables taking the acting user."""
    pending = add_member(create_member(username="applicant"), community, status=Membership.Status.PENDING)
    member = Membership.objects.get(user=people["member"], community=community)
    actions = {
        f"{name} the thread": (lambda user, name=name: services.moderate_thread(user, thread, name))
        for name in services.THREAD_ACTIONS
    }
    actions.update({
        "hide post": lambda user: services.set_post_hidden(user, reply, True),
        "move thread": lambda user: services.move_thread(user, thread, community.get_siblings().get(slug="elsewhere").specific),
        "remove member": lambda user: services.remove_member(user, member),
        "resolve flag": lambda user: services.resolve_flag(user, flag, "Dismissed."),
        "hide post and resolve flag": lambda user: services.resolve_flag(user, flag, "Hidden.", hide_post=True),
        "approve join request": lambda user: services.decide(user, pending, True),
        "decline join request": lambda user: services.decide(user, pending, False),
    })
    return actions


@pytest.mark.parametrize("who", ["member", "other_facilitator", "outsider"])
def test_only_this_communitys_facilitators_can_moderate(forum, reply, flag, people, who):
    community, thread = forum
    for action, act in moderation_actions(community, thread, reply, flag, people).items():
        with pytest.raises(services.ForumError):
            act(people[who])
            pytest.fail(f"{who} was allowed to {action}")
    assert not ModerationLog.objects.exists()
    thread.refresh_from_db()
    reply.refresh_from_db()
    assert (thread.community_id, thread.is_pinned, thread.is_locked, thread.is_hidden) == (community.pk, False, False, False)
    assert not reply.is_hidden
    assert Flag.objects.open().count() == 1
    assert not Membership.objects.filter(community=community, status__in=[Membership.Status.REMOVED, Membership.Status.DECLINED]).exists()


def test_staff_can_moderate_any_community(forum, reply, people):
    _, thread = forum
    services.moderate_thread(people["staff"], thread, "lock")
    services.set_post_hidden(people["staff"], reply, True)
    assert list(ModerationLog.objects.values_list("actor", flat=True)) == [people["staff"].pk] * 2


def test_moving_a_thread_needs_facilitating_both_communities(forum, people, home):
    community, thread = forum
    target = add_community(home, "channel-strategy")
    with pytest.raises(services.ForumError, match="communities you facilitate"):
        services.move_thread(people["facilitator"], thread, target)  # facilitates the source only
    add_member(people["other_facilitator"], target, Role.FACILITATOR)
    forget_memberships(people["other_facilitator"])
    with pytest.raises(services.ForumError):
        services.move_thread(people["other_facilitator"], thread, target)  # facilitates the target only
    add_member(people["member"], target, Role.FACILITATOR)
    forget_memberships(people["member"])
    with pytest.raises(services.ForumError):
        services.move_thread(people["member"], thread, target)  # a plain member of the source
    assert Thread.objects.get(pk=thread.pk).community_id == community.pk
    add_member(people["facilitator"], target, Role.FACILITATOR)
    forget_memberships(people["facilitator"])
    services.move_thread(people["facilitator"], thread, target)
    assert Thread.objects.get(pk=thread.pk).community_id == target.pk


# Flagging

def test_flagging_a_post_twice_is_refused_with_a_clear_message(flag, reply, people):
    with pytest.raises(services.ForumError, match="You have already flagged this post; a facilitator will look at it."):
        services.flag_post(people["member"], reply, Flag.Reason.SPAM)
    assert Flag.objects.count() == 1


def test_a_post_can_be_flagged_again_once_its_flag_is_resolved(flag, reply, people):
    services.resolve_flag(people["facilitator"], flag, "Dismissed.")
    services.flag_post(people["member"], reply, Flag.Reason.SPAM)
    assert Flag.objects.open().count() == 1


# The flag queue page

def test_facilitator_sees_open_flags_with_post_excerpt_reason_and_reporter(client, forum, reply, flag, people):
    community, thread = forum
    client.force_login(people["facilitator"])
    response = client.get(flags_url(community))
    assert response.status_code == 200
    card = soup(response).find(class_="flagged-post")
    assert card.find("a", href=reply.get_absolute_url()).get_text() == thread.title
    assert "A reply from the facilitator." in card.find(class_="post-excerpt").get_text()
    row = card.find("tbody").find("tr")
    assert "Mo Member" in row.get_text()
    assert "Rude, abusive or personal attack" in row.get_text()
    assert "Calls my team lazy in front of everyone." in row.get_text()
    assert {b.get_text() for b in card.find_all("button")} == {"Dismiss: the post can stay", "Hide post and resolve"}
    assert card.find("input", attrs={"name": "csrfmiddlewaretoken"})


def test_flag_queue_escapes_what_members_wrote(client, forum, people):
    community, thread = forum
    post = services.reply(people["member"], thread, '<script>alert("post")</script> **bold**')
    services.flag_post(people["facilitator"], post, Flag.Reason.OTHER, '<img src=x onerror=alert("note")>')
    client.force_login(people["facilitator"])
    content = client.get(flags_url(community)).content.decode()
    assert '<script>alert("post")' not in content and "<img src=x" not in content
    assert "&lt;script&gt;" in content and "&lt;img src=x" in content


def test_flags_on_one_post_are_grouped_together(client, forum, reply, flag, people):
    community, _ = forum
    services.flag_post(people["facilitator"], reply, Flag.Reason.OFF_TOPIC)
    client.force_login(people["facilitator"])
    cards = soup(client.get(flags_url(community))).find_all(class_="flagged-post")
    assert len(cards) == 1
    assert len(cards[0].find("tbody").find_all("tr")) == 2


def test_staff_can_open_any_flag_queue(client, forum, flag, people):
    community, _ = forum
    client.force_login(people["staff"])
    assert client.get(flags_url(community)).status_code == 200


@pytest.mark.parametrize("who", ["member", "other_facilitator", "outsider"])
def test_people_who_dont_facilitate_the_community_are_forbidden(client, forum, flag, people, who):
    community, _ = forum
    client.force_login(people[who])
    assert client.get(flags_url(community)).status_code == 403
    assert client.post(flags_url(community), {"post": flag.post_id, "action": "hide"}).status_code == 403
    assert Flag.objects.open().count() == 1
    assert client.get(community.url + "log/").status_code == 403


def test_visitor_is_sent_to_sign_in(client, forum, flag):
    community, _ = forum
    for url in (flags_url(community), community.url + "log/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/?next=")


def test_private_community_queue_is_invisible_to_outsiders(client, community_factory, people):
    community, thread = community_factory("private")
    services.flag_post(people["member"], thread.posts.get(position=2), Flag.Reason.PRIVACY)
    client.force_login(people["outsider"])
    for url in (flags_url(community), community.url + "log/"):
        response = client.get(url)
        assert response.status_code == 404
        assert thread.title.encode() not in response.content
    client.logout()
    assert client.get(flags_url(community)).status_code == 404


def test_dismissing_resolves_the_flags_keeps_the_post_and_logs_it(client, forum, reply, flag, people):
    community, _ = forum
    client.force_login(people["facilitator"])
    response = client.post(flags_url(community), {"post": reply.pk, "action": "dismiss", "resolution": "Robust but civil."}, follow=True)
    assert "Flags dismissed" in soup(response).find(class_="messages").get_text()
    flag.refresh_from_db()
    assert (flag.resolved_by, flag.resolution) == (people["facilitator"], "Robust but civil.")
    assert flag.resolved_at is not None
    assert not Post.objects.get(pk=reply.pk).is_hidden
    entry = only_log_entry()
    assert (entry.actor, entry.action, entry.post, entry.detail) == (people["facilitator"], Action.RESOLVE_FLAG, reply, "Robust but civil.")
    page = soup(response)
    assert not page.find(class_="flagged-post")
    assert "Robust but civil." in page.find("section", attrs={"aria-labelledby": "resolved-flags"}).get_text()


def test_hide_and_resolve_hides_the_post_and_logs_both(client, forum, reply, flag, people):
    community, _ = forum
    client.force_login(people["facilitator"])
    response = client.post(flags_url(community), {"post": reply.pk, "action": "hide"})
    assert response.status_code == 302 and response.url == flags_url(community)
    assert Post.objects.get(pk=reply.pk).is_hidden
    flag.refresh_from_db()
    assert flag.resolution == "Post hidden."
    assert set(ModerationLog.objects.values_list("action", "post")) == {(Action.HIDE_POST, reply.pk), (Action.RESOLVE_FLAG, reply.pk)}


def test_resolving_flags_from_another_communitys_queue_does_nothing(client, forum, flag, people, home):
    community, _ = forum
    other = add_community(home, "customer-insight")
    add_member(people["facilitator"], other, Role.FACILITATOR)
    client.force_login(people["facilitator"])
    client.post(flags_url(other), {"post": flag.post_id, "action": "hide"})
    assert Flag.objects.open().count() == 1
    assert not ModerationLog.objects.exists()


def test_flag_queue_costs_the_same_queries_for_one_flag_or_ten(client, forum, flag, people, settings, django_assert_num_queries):
    community, thread = forum
    settings.FORUM_POSTS_PER_MINUTE = 100
    client.force_login(people["facilitator"])
    client.get(flags_url(community))  # warm the site's root-path cache
    with django_assert_num_queries(FLAG_QUEUE_QUERIES):
        assert client.get(flags_url(community)).status_code == 200

    reporters = [create_member(username=f"reporter{n}", display_name=f"Reporter {n}") for n in range(3)]
    for reporter in reporters:
        add_member(reporter, community)
    for n in range(9):
        post = services.reply(people["member"], thread, f"Reply number {n} with some text.")
        services.flag_post(reporters[n % 3], post, Flag.Reason.SPAM, f"Note {n}")
    services.flag_post(reporters[0], flag.post, Flag.Reason.OFF_TOPIC)
    services.resolve_flag(people["facilitator"], Flag.objects.open().filter(post__position=3).first(), "Dismissed.")
    assert Flag.objects.open().count() == 10 and Flag.objects.filter(resolved_at__isnull=False).count() == 1
    with django_assert_num_queries(FLAG_QUEUE_QUERIES):
        response = client.get(flags_url(community))
    assert len(soup(response).find_all(class_="flagged-post")) == 9  # post #2 carries two flags


# The moderation log page

def test_moderation_log_lists_who_did_what_to_whom(client, forum, reply, people):
    community, thread = forum
    services.moderate_thread(people["facilitator"], thread, "pin")
    services.set_post_hidden(people["facilitator"], reply, True)
    services.remove_member(people["facilitator"], Membership.objects.get(user=people["member"], community=community), "Spam.")
    client.force_login(people["facilitator"])
    response = client.get(community.url + "log/")
    assert response.status_code == 200
    rows = soup(response).find("table").find("tbody").find_all("tr")
    assert len(rows) == 3
    removal, hidden, pinned = (row.get_text(" ", strip=True) for row in rows)
    assert "Removed member" in removal and "Mo Member" in removal and "Spam." in removal
    assert "Hid post" in hidden and "Post #2" in hidden
    assert "Pinned thread" in pinned and thread.title in pinned and "Fay Facilitator" in pinned
    assert rows[1].find("a", href=reply.get_absolute_url())


def test_moderation_log_does_not_name_a_thread_moved_where_the_reader_cannot_follow(client, forum, people, home):
    community, thread = forum
    hidden_away = add_community(home, "closed-panel", visibility="private", title="Closed Panel On Restructuring")
    add_member(people["facilitator"], hidden_away, Role.FACILITATOR)
    forget_memberships(people["facilitator"])
    services.move_thread(people["facilitator"], thread, hidden_away)
    colleague = create_member(username="cole", display_name="Cole League")
    add_member(colleague, community, Role.FACILITATOR)
    client.force_login(colleague)
    content = client.get(community.url + "log/").content.decode()
    assert "Moved thread" in content and "A thread since moved elsewhere" in content
    assert thread.title not in content and "Closed Panel" not in content
    client.force_login(people["facilitator"])
    assert thread.title in client.get(community.url + "log/").content.decode()


def test_moderation_log_costs_the_same_queries_for_one_entry_or_many(client, forum, reply, people, home, django_assert_num_queries):
    community, thread = forum
    services.moderate_thread(people["facilitator"], thread, "pin")
    client.force_login(people["facilitator"])
    client.get(community.url + "log/")
    with CaptureQueriesContext(connection) as one_entry:
        client.get(community.url + "log/")
    services.set_post_hidden(people["facilitator"], reply, True)
    services.remove_member(people["facilitator"], Membership.objects.get(user=people["member"], community=community))
    for _ in range(5):
        services.moderate_thread(people["facilitator"], thread, "lock")
        services.moderate_thread(people["facilitator"], thread, "unlock")
    other = add_community(home, "elsewhere-two")
    add_member(people["facilitator"], other, Role.FACILITATOR)
    forget_memberships(people["facilitator"])
    services.move_thread(people["facilitator"], thread, other)
    with django_assert_num_queries(len(one_entry)):
        response = client.get(community.url + "log/")
    assert len(soup(response).find("tbody").find_all("tr")) == 14


def test_moderation_log_is_paginated(client, forum, people):
    community, thread = forum
    for _ in range(26):
        services.moderate_thread(people["facilitator"], thread, "lock")
        services.moderate_thread(people["facilitator"], thread, "unlock")
    client.force_login(people["facilitator"])
    first = soup(client.get(community.url + "log/"))
    assert len(first.find("tbody").find_all("tr")) == 50
    assert first.find("a", rel="next")
    assert len(soup(client.get(community.url + "log/", {"page": 2})).find("tbody").find_all("tr")) == 2


# The Wagtail admin

@pytest.fixture
def admin_client(client, people):
    superuser = create_member(username="root", display_name="Site Admin", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    client.superuser = superuser
    return client


@pytest.mark.parametrize("url", [
    "/admin/communities/memberships/",
    "/admin/communities/join-requests/",
    "/admin/communities/flags/",
    "/admin/communities/moderation-log/",
])
def test_admin_listings_answer_for_a_superuser(admin_client, forum, flag, url):
    response = admin_client.get(url)
    assert response.status_code == 200


def test_admin_flag_listing_shows_open_flags_with_a_resolve_action(admin_client, flag):
    page = soup(admin_client.get("/admin/communities/flags/", {"status": "open"}))
    assert str(flag.post) in page.find("main").find("table").get_text()
    assert page.find("a", href=f"/admin/communities/flags/resolve/{flag.pk}/")


def test_admin_moderation_log_lists_entries_and_offers_no_editing(admin_client, forum, people):
    _, thread = forum
    services.moderate_thread(people["facilitator"], thread, "lock")
    page = admin_client.get("/admin/communities/moderation-log/").content.decode()
    assert "Locked thread" in page
    entry = ModerationLog.objects.get()
    assert admin_client.get(f"/admin/communities/moderation-log/inspect/{entry.pk}/").status_code == 200
    assert f"/edit/{entry.pk}/" not in page and f"/delete/{entry.pk}/" not in page


def test_admin_approves_a_join_request_and_the_member_is_notified(admin_client, home, people):
    community = add_community(home, "contact-centre-managers", join_policy="approval")
    request = services.join(people["outsider"], community, "I run the Northfield contact centre.")
    listing = soup(admin_client.get("/admin/communities/join-requests/"))
    assert listing.find("a", href=f"/admin/communities/join-requests/approve/{request.pk}/")
    form = admin_client.get(f"/admin/communities/join-requests/approve/{request.pk}/")
    assert "I run the Northfield contact centre." in form.content.decode()
    response = admin_client.post(f"/admin/communities/join-requests/approve/{request.pk}/", {"message": "Welcome aboard."})
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.decision_message) == (
        Membership.Status.ACTIVE, admin_client.superuser, "Welcome aboard."
    )
    assert Notification.objects.filter(recipient=people["outsider"], kind=Notification.Kind.JOIN_APPROVED, membership=request).exists()
    assert ModerationLog.objects.filter(action=Action.APPROVE, target_user=people["outsider"], actor=admin_client.superuser).exists()
    assert request.community.specific.__class__.objects.get(pk=community.pk).member_count == 1


def test_admin_declines_a_join_request(admin_client, home, people):
    community = add_community(home, "performance-leads", join_policy="approval")
    request = services.join(people["outsider"], community)
    admin_client.post(f"/admin/communities/join-requests/decline/{request.pk}/", {"message": ""})
    request.refresh_from_db()
    assert request.status == Membership.Status.DECLINED
    assert Notification.objects.filter(recipient=people["outsider"], kind=Notification.Kind.JOIN_DECLINED).exists()


def test_admin_cannot_decide_a_request_twice(admin_client, home, people):
    community = add_community(home, "scrutiny-chairs", join_policy="approval")
    request = services.join(people["outsider"], community)
    admin_client.post(f"/admin/communities/join-requests/approve/{request.pk}/", {"message": ""})
    response = admin_client.post(f"/admin/communities/join-requests/decline/{request.pk}/", {"message": ""}, follow=True)
    assert "already been decided" in response.content.decode()
    request.refresh_from_db()
    assert request.status == Membership.Status.ACTIVE


def test_admin_resolves_a_flag_through_the_service(admin_client, reply, flag):
    response = admin_client.post(f"/admin/communities/flags/resolve/{flag.pk}/", {"resolution": "Personal attack.", "hide_post": "on"})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert (flag.resolution, flag.resolved_by) == ("Personal attack.", admin_client.superuser)
    assert Post.objects.get(pk=reply.pk).is_hidden
    assert set(ModerationLog.objects.values_list("action", flat=True)) == {Action.HIDE_POST, Action.RESOLVE_FLAG}


def test_admin_membership_edit_keeps_the_member_count(admin_client, forum, people):
    community, _ = forum
    membership = Membership.objects.get(user=people["member"], community=community)
    response = admin_client.post(f"/admin/communities/memberships/edit/{membership.pk}/", {
        "user": people["member"].pk, "community": community.pk, "role": Role.MEMBER,
        "status": Membership.Status.REMOVED, "decision_message": "",
    })
    assert response.status_code == 302
    assert Membership.objects.get(pk=membership.pk).status == Membership.Status.REMOVED
    assert type(community).objects.get(pk=community.pk).member_count == 2  # unverified member and facilitator remain


def test_admin_menu_shows_communities_only_to_users_with_the_permissions(client, admin_client, people):
    assert "Moderation log" in admin_client.get("/admin/").content.decode()
    editor = create_member(username="eddie", display_name="Eddie Editor")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200
    assert "Join requests" not in dashboard.content.decode() and "Moderation log" not in dashboard.content.decode()
    assert client.get("/admin/communities/moderation-log/").status_code in (302, 403)


def test_admin_lists_are_closed_to_facilitators(client, forum, flag, people):
    # Facilitators may open the admin (to review their communities' case studies), but not its community lists.
    client.force_login(people["facilitator"])
    response = client.get("/admin/communities/flags/")
    assert response.status_code == 302
    assert response.url == "/admin/"  # Wagtail's "you do not have permission", on the dashboard
