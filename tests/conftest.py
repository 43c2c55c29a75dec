import pytest
from django.core.cache import cache

from cop_site.site_structure import ensure_site_structure
from communities import services
from communities.models import Membership
from tests.factories import add_community, add_member, create_member, create_people

Role = Membership.Role


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded files go to a per-test folder, never into the project."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate-limit counters live in the cache, keyed by user id; ids are reused after a flush."""
    cache.clear()


@pytest.fixture
def home(db):
    return ensure_site_structure(hostname="testserver", port=80)


@pytest.fixture
def member(db):
    return create_member(username="alex", display_name="Alex Morgan", organisation="Northfield Borough Council")


@pytest.fixture
def people(db):
    """One user per role the permission rules know about."""
    return create_people()


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


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a block as a committed transaction would, so after-commit work (indexing, emails) happens."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def no_posting_limit(settings):
    """For tests that write many posts quickly on purpose (use with pytest.mark.usefixtures)."""
    settings.FORUM_POSTS_PER_MINUTE = 1000
