import pytest

from communities import services
from communities.models import CommunityPage, Membership
from tests.factories import create_member

Role = Membership.Role


def add_community(home, slug, visibility="public", join_policy="open", title=None):
    index = home.get_children().get(slug="communities").specific
    return index.add_child(instance=CommunityPage(
        title=title or slug.replace("-", " ").title(), slug=slug, summary=f"About {slug}.",
        visibility=visibility, join_policy=join_policy,
    ))


def add_member(user, community, role=Role.MEMBER, status=Membership.Status.ACTIVE):
    return Membership.objects.create(user=user, community=community, role=role, status=status)


@pytest.fixture
def people(db):
    """One user per role the permission rules know about."""
    return {
        "outsider": create_member(username="olive", display_name="Olive Outsider"),
        "member": create_member(username="mo", display_name="Mo Member"),
        "facilitator": create_member(username="fay", display_name="Fay Facilitator"),
        "other_facilitator": create_member(username="otto", display_name="Otto Elsewhere"),
        "staff": create_member(username="stella", display_name="Stella Staff", is_staff=True),
        "unverified": create_member(username="una", display_name="Una Unverified", verified=False),
    }


@pytest.fixture
def community_factory(home, people):
    """A community of a given visibility with a member, a facilitator and a thread with a reply."""
    elsewhere = add_community(home, "elsewhere")
    add_member(people["other_facilitator"], elsewhere, Role.FACILITATOR)

    def make(visibility="public", join_policy="open", slug=None):
        community = add_community(home, slug or f"{visibility}-community", visibility, join_policy)
        add_member(people["member"], community)
        add_member(people["unverified"], community)
        add_member(people["facilitator"], community, Role.FACILITATOR)
        thread = services.start_thread(people["member"], community, f"Secret {visibility} thread title", "Opening post body text.")
        services.reply(people["facilitator"], thread, "A reply from the facilitator.")
        return community, thread

    return make
