"""``manage.py compile_roundup``: compiles a community's or the whole site's roundup and says what it did."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from communities import services
from newsletters.compile import current_month, shift_month
from newsletters.models import RoundupPage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_posting_limit")]


@pytest.fixture
def community(community_factory):
    """A public community with one thread (and a reply) this month."""
    return community_factory("public", slug="contact-centres")[0]


def run(*args, verbosity=1):
    out = StringIO()
    call_command("compile_roundup", *args, stdout=out, verbosity=verbosity)
    return out.getvalue()


def test_it_creates_the_draft_and_reports_items_and_figures(community):
    month = current_month()
    output = run("--community", "contact-centres", "--month", f"{month:%Y-%m}")
    roundup = RoundupPage.objects.get(community=community, month=month)
    assert not roundup.live and roundup.compiled_at is not None
    assert f"Created the draft “{roundup.title}” (page {roundup.pk})." in output
    assert "Added 1 item:\n  Busiest discussions: 1\n" in output
    assert f"Key figures for {month:%B %Y}:" in output
    assert "  Posts: 2  (up 2 from none last month)" in output
    assert "  New discussions: 1  (up 1 from none last month)\n" in output
    assert "  New members: 3  (up 3 from none last month)\n" in output
    assert f"http://testserver/admin/pages/{roundup.pk}/edit/" in output


def test_the_month_defaults_to_this_one_and_a_second_run_adds_only_whats_new(community, people):
    run("--community", "contact-centres")
    roundup = RoundupPage.objects.get(community=community)
    assert roundup.month == current_month()

    assert "Nothing new to add since the last compile." in run("--community", "contact-centres")
    services.start_thread(people["member"], community, "Benchmarking call handling", "What do you measure?")
    output = run("--community", "contact-centres", verbosity=2)
    assert f"Updated the draft “{roundup.title}”" in output
    assert "Added 1 item; the intro and edits are unchanged:" in output
    assert "    - Benchmarking call handling" in output  # items are listed at verbosity 2
    assert RoundupPage.objects.count() == 1


def test_site_compiles_the_site_wide_roundup(community):
    output = run("--site", "--month", f"{current_month():%Y-%m}")
    roundup = RoundupPage.objects.get(community__isnull=True)
    assert f"Created the draft “{roundup.title}”" in output


def test_verbosity_zero_prints_nothing(community):
    assert run("--site", verbosity=0) == ""
    assert RoundupPage.objects.count() == 1


@pytest.mark.parametrize("args, message", [
    (["--community", "nowhere"], "No community has the slug “nowhere”. Communities: contact-centres, elsewhere."),
    (["--community", "contact-centres", "--month", "2026-13"], "'2026-13' is not a month: write it as YYYY-MM"),
    (["--site", "--month", "October"], "'October' is not a month"),
])
def test_unknown_communities_and_bad_months_are_clear_errors(community, args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(*args)
    assert not RoundupPage.objects.exists()


def test_a_month_that_has_not_started_is_refused(community):
    with pytest.raises(CommandError, match="hasn't started yet"):
        run("--site", "--month", f"{shift_month(current_month(), 1):%Y-%m}")


def test_a_sent_roundup_is_not_compiled_again(community):
    run("--community", "contact-centres")
    roundup = RoundupPage.objects.get()
    RoundupPage.objects.filter(pk=roundup.pk).update(sending_started_at=roundup.compiled_at)
    with pytest.raises(CommandError, match="has already been sent; it can't be compiled again"):
        run("--community", "contact-centres")


def test_a_stream_must_be_named_once(community):
    with pytest.raises(CommandError, match="one of the arguments --community --site is required"):
        run()
    with pytest.raises(CommandError, match="not allowed with argument"):
        run("--site", "--community", "contact-centres")
