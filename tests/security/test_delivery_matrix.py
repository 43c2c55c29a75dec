"""Emails, for every role and scene (see ``matrix_rules``): who gets each kind, and that no email carries a secret
word its recipient may not read, including when the recipient lost access after the news and before the email.

Sending runs as in production: the write commits (``commit``), its after-commit work enqueues the email tasks, and
the immediate task backend sends into Django's outbox. Every role watches every scene's thread and takes every
roundup, as if each had once been allowed to: the rules at send time decide.
"""

import pytest
from django.core import mail

from communities import services
from communities import tasks as notification_tasks
from communities.models import Membership, Profile, Watch
from newsletters import sending
from newsletters.models import Subscription
from tests.security.matrix_rules import ROLES, VISIBILITIES, can_read, secret
from tests.security.matrix_support import COMMUNITY_SCENES, add_case_study_draft, world_fixture

world = world_fixture()

SIGNED_IN = ROLES[1:]
VERIFIED = [role for role in SIGNED_IN if role != "unverified"]


@pytest.fixture
def media_in_tmp():
    """The world's files live for the whole module (see ``world``), not in a per-test folder."""


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def text_of(message):
    """Everything a recipient reads: the subject, the text and every alternative part."""
    return "\n".join([message.subject, message.body, *(content for content, mimetype in message.alternatives)])


def fresh(obj):
    """The row as the database holds it now: services change the objects they are given, and the world's objects
    are shared by every test of the module."""
    return type(obj)._default_manager.get(pk=obj.pk)


def roles_by_address(world):
    return {world.people[role].email: role for role in SIGNED_IN}


def received(world):
    """{role: [text of each email]} of everything in the outbox."""
    roles = roles_by_address(world)
    found = {}
    for message in mail.outbox:
        for address in message.to:
            found.setdefault(roles.get(address, address), []).append(text_of(message))
    return found


def leaks(world):
    """(role, visibility) of every secret an email shows to a recipient who may not read it."""
    return sorted({(role, visibility) for role, texts in received(world).items() for text in texts
                   for visibility in VISIBILITIES if secret(visibility) in text and not can_read(role, visibility)})


def everyone_watches(world, thread):
    for role in SIGNED_IN:
        Watch.objects.get_or_create(user=world.people[role], thread=thread)


def everyone_takes(world, community):
    for role in SIGNED_IN:
        Subscription.objects.update_or_create(user=world.people[role], community=community, defaults={
            "is_active": True, "consent_source": Subscription.Source.ADMIN})


def thread_readers(visibility, author):
    return {role for role in SIGNED_IN if can_read(role, visibility)} - {author}


# Notifications

@pytest.mark.django_db
@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_a_reply_in_a_watched_thread_is_emailed_only_to_those_who_may_read_it(world, commit, visibility):
    scene = world.scenes[visibility]
    everyone_watches(world, scene.thread)
    with commit():
        services.reply(world.user("facilitator"), fresh(scene.thread), "Here are the figures for Q2.")

    assert set(received(world)) == thread_readers(visibility, "facilitator")
    assert leaks(world) == []


@pytest.mark.django_db
@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_a_mention_is_emailed_only_to_those_who_may_read_the_thread(world, commit, visibility):
    scene = world.scenes[visibility]
    Watch.objects.filter(thread=scene.thread).delete()
    everyone = " ".join(f"@{world.people[role].username}" for role in SIGNED_IN)
    with commit():
        services.reply(world.user("staff"), fresh(scene.thread), f"What do you think, {everyone}?")

    assert set(received(world)) == thread_readers(visibility, "staff")
    assert leaks(world) == []


def leave(world, scene):
    services.leave(world.user("member"), fresh(scene.community))


def be_removed(world, scene):
    membership = Membership.objects.get(user=world.people["member"], community=scene.community)
    services.remove_member(world.user("facilitator"), membership, "Moved to another council.")


def thread_hidden(world, scene):
    services.moderate_thread(world.user("facilitator"), fresh(scene.thread), "hide")


LOSSES = {"left the community": leave, "was removed": be_removed, "the thread was hidden": thread_hidden}


@pytest.mark.django_db
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("frequency", [Profile.EmailFrequency.IMMEDIATELY, Profile.EmailFrequency.DAILY])
def test_a_member_who_lost_access_before_the_email_went_out_is_not_told(
        world, django_capture_on_commit_callbacks, loss, frequency):
    scene = world.scenes["members"]
    Profile.objects.filter(user=world.people["member"]).update(email_frequency=frequency)
    everyone_watches(world, scene.thread)
    with django_capture_on_commit_callbacks() as waiting:
        services.reply(world.user("facilitator"), fresh(scene.thread), "Here are the figures for Q2.")
    with django_capture_on_commit_callbacks(execute=True):
        LOSSES[loss](world, scene)
    for callback in waiting:
        callback()
    notification_tasks.send_digests()

    readers = received(world)
    assert "member" not in readers
    assert set(readers) == ({"staff"} if loss == "the thread was hidden" else {"unverified", "staff"})
    assert leaks(world) == []


@pytest.mark.django_db
def test_a_watcher_is_not_told_of_a_reply_in_a_thread_moved_where_they_may_not_read(world, django_capture_on_commit_callbacks):
    public, private = world.scenes["public"], world.scenes["private"]
    everyone_watches(world, public.thread)
    with django_capture_on_commit_callbacks() as waiting:
        services.reply(world.user("member"), fresh(public.thread), "Here are the figures for Q2.")
    services.move_thread(world.user("staff"), fresh(public.thread), fresh(private.community))
    for callback in waiting:
        callback()

    assert set(received(world)) == thread_readers("private", "member")
    assert leaks(world) == []


@pytest.mark.django_db
def test_join_requests_and_decisions_are_emailed_to_the_facilitators_and_the_member_alone(world, commit):
    members = fresh(world.scenes["members"].community)
    with commit():
        request = services.join(world.user("outsider"), members, "I run the performance team.")
    assert set(received(world)) == {"facilitator"}

    with commit():
        services.decide(world.user("facilitator"), request, approve=True, message="Welcome.")
    with commit():
        services.invite(world.user("facilitator"), fresh(world.scenes["private"].community), world.user("editor"))

    assert set(received(world)) == {"facilitator", "outsider", "editor"}
    assert not [word for texts in received(world).values() for text in texts
                for word in map(secret, VISIBILITIES) if word in text]


@pytest.mark.django_db
def test_a_case_study_submitted_for_review_is_emailed_to_its_reviewers_alone(world, commit):
    """Reviewers: the named community's facilitators and Wagtail's Moderators; the editor (in Editors) is not one,
    and staff without admin access get no admin link."""
    with commit():
        add_case_study_draft(fresh(world.library), world.user("member"), "Case study on quillbackreview",
                             community=fresh(world.scenes["private"].community), submit=True)

    assert set(received(world)) == {"facilitator"}


# Roundups

def roundup_recipients(visibility):
    """Who gets a scene's roundup when everyone takes it: verified members of a members-only or private community,
    anyone verified for a public one; nobody for a draft, which is never sent."""
    if visibility == "draft":
        return set()
    if visibility in {"members", "private"}:
        return {"member", "facilitator"}
    return set(VERIFIED)


@pytest.mark.django_db
@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_a_roundup_is_emailed_only_to_those_who_may_read_it(world, commit, visibility):
    scene = world.scenes[visibility]
    everyone_takes(world, scene.roundup.community)
    with commit():
        sending.begin(scene.roundup.pk)

    readers = received(world)
    assert set(readers) == roundup_recipients(visibility)
    assert leaks(world) == []
    assert not any(secret("hidden") in text for texts in readers.values() for text in texts), (
        "a roundup shows nobody the thread a facilitator hid")
    if visibility in COMMUNITY_SCENES:
        assert all(secret(visibility) in texts[0] for texts in readers.values())


@pytest.mark.django_db
def test_the_site_wide_roundup_shows_each_reader_only_the_items_they_may_read(world, commit):
    everyone_takes(world, None)
    with commit():
        sending.begin(world.site_roundup.pk)

    readers = received(world)
    assert set(readers) == set(VERIFIED)
    assert leaks(world) == []
    for role, texts in readers.items():
        shown = {visibility for visibility in COMMUNITY_SCENES if secret(visibility) in texts[0]}
        assert shown == {visibility for visibility in COMMUNITY_SCENES if can_read(role, visibility)}, role


@pytest.mark.django_db
@pytest.mark.parametrize("loss", ["left the community", "was removed"])
def test_a_member_who_lost_access_after_sending_began_gets_no_roundup_and_no_private_item(world, loss):
    private = world.scenes["private"]
    everyone_takes(world, private.community)
    everyone_takes(world, None)
    for roundup in (private.roundup, world.site_roundup):
        sending.stamp_started(roundup.pk)
        sending.queue_deliveries(roundup)
    LOSSES[loss](world, private)
    for roundup in (private.roundup, world.site_roundup):
        sending.send_due(roundup)

    readers = received(world)
    assert set(readers) == set(VERIFIED)
    assert [secret("private") in text for text in readers["member"]] == [False]  # the site-wide one, without it
    assert [secret("private") in text for text in readers["facilitator"]] == [True, True]
    assert leaks(world) == []
