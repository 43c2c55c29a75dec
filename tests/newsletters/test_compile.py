"""Compiling a month's roundup: the right items for the month, late entries once, facilitator edits kept."""

from datetime import date, datetime, timezone as dt_timezone
from zoneinfo import ZoneInfo

import pytest

from communities import services
from communities.models import Post, Thread
from library.models import CaseStudyPage, SlideDeck
from newsletters.blocks import Section
from newsletters.compile import (
    CompileError, activity, compile_roundup, month_bounds, parse_month, roundup_for, shift_month,
)
from newsletters.models import RoundupPage
from newsletters.rendering import resolve, visible_to
from tests.factories import add_community, add_member
from tests.library.conftest import add_deck, publish_case_study

pytestmark = pytest.mark.usefixtures("no_posting_limit")

LONDON = ZoneInfo("Europe/London")
UTC = dt_timezone.utc
OCTOBER = date(2026, 10, 1)
NOVEMBER = date(2026, 11, 1)


def at(year, month, day, hour=12, minute=0, zone=LONDON):
    return datetime(year, month, day, hour, minute, tzinfo=zone)


def thread_at(author, community, title, when, replies=()):
    """A thread whose opening post was written at `when`, with replies at the given times."""
    thread = services.start_thread(author, community, title, f"Opening post of {title}.")
    Thread.objects.filter(pk=thread.pk).update(created_at=when)
    Post.objects.filter(thread=thread, position=1).update(created_at=when)
    for reply_time in replies:
        post = services.reply(author, thread, f"A reply to {title}.")
        Post.objects.filter(pk=post.pk).update(created_at=reply_time)
    thread.refresh_from_db()
    return thread


def item_keys(roundup, section=None):
    page = roundup.get_latest_revision_as_object()
    return [
        f"{block['type']}:{block['value'][block['type']]}"
        for block in page.body.raw_data
        if block["type"] != "heading" and block["type"] != "text"
        and (section is None or block["value"]["section"] == section)
    ]


@pytest.fixture
def forum(community_factory, people):
    community, _ = community_factory("public", slug="scrutiny")
    Thread.objects.filter(community=community).delete()  # start from an empty forum: dates below are exact
    return community


def test_parse_month_accepts_year_and_month_only():
    assert parse_month("2026-10") == OCTOBER
    with pytest.raises(CompileError, match="YYYY-MM"):
        parse_month("October")
    with pytest.raises(CompileError):
        parse_month("2026-13")


def test_month_bounds_are_midnight_in_london_across_summer_time():
    start, end = month_bounds(OCTOBER)
    assert start == datetime(2026, 9, 30, 23, 0, tzinfo=UTC)  # 1 October 00:00 BST
    assert end == datetime(2026, 11, 1, 0, 0, tzinfo=UTC)  # 1 November 00:00 GMT
    assert shift_month(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert shift_month(date(2026, 12, 1), 1) == date(2027, 1, 1)


def test_items_are_chosen_by_the_month_in_london_time(forum, people):
    author = people["member"]
    just_in = thread_at(author, forum, "Thirty minutes into October, BST", at(2026, 9, 30, 23, 30, UTC))
    too_early = thread_at(author, forum, "Half past eleven on 30 September, BST", at(2026, 9, 30, 22, 30, UTC))
    last_minute = thread_at(author, forum, "One minute to November", at(2026, 10, 31, 23, 59, UTC))
    too_late = thread_at(author, forum, "First minute of November", at(2026, 11, 1, 0, 0, UTC))

    keys = item_keys(compile_roundup(forum, OCTOBER).roundup)

    assert f"thread:{just_in.pk}" in keys and f"thread:{last_minute.pk}" in keys
    assert f"thread:{too_early.pk}" not in keys and f"thread:{too_late.pk}" not in keys


def test_busiest_threads_count_only_the_months_replies(forum, people):
    author = people["member"]
    old_but_busy = thread_at(author, forum, "Old thread, busy in October", at(2026, 8, 3),
                             replies=[at(2026, 10, day) for day in (2, 3, 4)])
    busy_before = thread_at(author, forum, "Busy in September only", at(2026, 9, 1),
                            replies=[at(2026, 9, day) for day in (2, 3, 4, 5)])

    roundup = compile_roundup(forum, OCTOBER).roundup
    page = roundup.get_latest_revision_as_object()
    busiest = [block["value"] for block in page.body.raw_data if block["type"] == "thread"
               and block["value"]["section"] == Section.BUSIEST]

    assert [(value["thread"], value["replies"]) for value in busiest] == [(old_but_busy.pk, 3)]
    assert f"thread:{busy_before.pk}" not in item_keys(roundup)
    assert busiest[0]["line"] == "Opening post of Old thread, busy in October."


def test_figures_compare_with_last_month_and_count_posts_per_london_day(forum, people):
    author = people["member"]
    thread_at(author, forum, "September", at(2026, 9, 10), replies=[at(2026, 9, 11)])
    thread_at(author, forum, "October", at(2026, 9, 30, 23, 30, UTC), replies=[at(2026, 10, 31, 23, 30, UTC)])

    figures = activity(forum, OCTOBER)

    assert figures["posts"] == 2 and figures["previous_posts"] == 2
    assert figures["active_members"] == 1
    assert len(figures["posts_per_day"]) == 31
    assert figures["posts_per_day"][0] == 1  # 00:30 BST on 1 October, though 30 September in UTC
    assert figures["posts_per_day"][30] == 1
    assert sum(figures["posts_per_day"]) == 2


def test_late_entries_come_in_the_next_roundup_exactly_once(forum, people):
    author = people["member"]
    on_time = thread_at(author, forum, "Written before the October compile", at(2026, 10, 20))
    october = compile_roundup(forum, OCTOBER).roundup
    RoundupPage.objects.filter(pk=october.pk).update(compiled_at=at(2026, 10, 28))  # compiled before the month ended
    late = thread_at(author, forum, "Written after the October compile", at(2026, 10, 30))

    november = compile_roundup(forum, NOVEMBER).roundup
    compile_roundup(forum, NOVEMBER)  # again: nothing doubles

    assert item_keys(november, Section.LATE) == [f"thread:{late.pk}"]
    assert item_keys(november).count(f"thread:{late.pk}") == 1
    assert f"thread:{on_time.pk}" not in item_keys(november)
    december = compile_roundup(forum, date(2026, 12, 1)).roundup
    assert f"thread:{late.pk}" not in item_keys(december)


def test_recompiling_last_month_does_not_take_back_a_late_entry(forum, people):
    author = people["member"]
    compile_roundup(forum, OCTOBER)
    RoundupPage.objects.filter(month=OCTOBER).update(compiled_at=at(2026, 10, 28))
    late = thread_at(author, forum, "Arrived on the 30th", at(2026, 10, 30))
    november = compile_roundup(forum, NOVEMBER).roundup

    october = compile_roundup(forum, OCTOBER).roundup

    assert f"thread:{late.pk}" not in item_keys(october)
    assert item_keys(november, Section.LATE) == [f"thread:{late.pk}"]


def test_recompile_keeps_the_facilitators_intro_order_edits_and_removals(forum, people):
    author = people["member"]
    thread_at(author, forum, "First", at(2026, 10, 5))
    second = thread_at(author, forum, "Second", at(2026, 10, 6))
    thread_at(author, forum, "Third", at(2026, 10, 7))
    roundup = compile_roundup(forum, OCTOBER, people["facilitator"]).roundup

    draft = roundup.get_latest_revision_as_object()
    blocks = draft.body.raw_data
    items = [block for block in blocks if block["type"] == "thread"]
    removed = next(block for block in items if block["value"]["thread"] == second.pk)
    kept = [block for block in items if block is not removed]
    kept.reverse()
    kept[0]["value"]["line"] = "My own words about this one."
    draft.intro = "<p>A month of scrutiny.</p>"
    draft.body = [blocks[0], *kept]
    draft.save_revision(user=people["facilitator"])

    newcomer = thread_at(author, forum, "Posted after the first compile", at(2026, 10, 20))
    result = compile_roundup(forum, OCTOBER, people["facilitator"])

    again = result.roundup.get_latest_revision_as_object()
    assert again.intro == "<p>A month of scrutiny.</p>"
    assert [c.key for c in result.added] == [f"thread:{newcomer.pk}"]
    keys = item_keys(result.roundup)
    assert f"thread:{second.pk}" not in keys
    assert keys == [*(f"thread:{block['value']['thread']}" for block in kept), f"thread:{newcomer.pk}"]
    assert again.body.raw_data[1]["value"]["line"] == "My own words about this one."
    assert RoundupPage.objects.filter(community=forum, month=OCTOBER).count() == 1


def test_a_roundup_already_sent_is_not_compiled_again(forum):
    roundup = compile_roundup(forum, OCTOBER).roundup
    RoundupPage.objects.filter(pk=roundup.pk).update(sending_started_at=at(2026, 11, 2))

    with pytest.raises(CompileError, match="already been sent"):
        compile_roundup(forum, OCTOBER)


def test_new_decks_and_case_studies_of_the_month_are_offered(forum, home):
    deck = add_deck(forum, title="Balanced scorecards for scrutiny")
    SlideDeck.objects.filter(pk=deck.pk).update(created_at=at(2026, 10, 9))
    study = publish_case_study(home.get_children().get(slug="library").specific, community=forum)
    CaseStudyPage.objects.filter(pk=study.pk).update(first_published_at=at(2026, 10, 12))

    roundup = compile_roundup(forum, OCTOBER).roundup

    assert item_keys(roundup, Section.DECKS) == [f"deck:{deck.pk}"]
    assert item_keys(roundup, Section.CASE_STUDIES) == [f"case_study:{study.pk}"]


def test_the_site_wide_roundup_shows_private_items_only_to_their_members(home, people, forum):
    secret_place = add_community(home, "secret", "private")
    add_member(people["member"], secret_place)
    secret = thread_at(people["member"], secret_place, "Secret restructuring plans", at(2026, 10, 3))
    open_thread = thread_at(people["member"], forum, "Open discussion", at(2026, 10, 4))

    site = compile_roundup(None, OCTOBER).roundup
    assert roundup_for(None, OCTOBER).pk == site.pk
    entries = resolve(site.get_latest_revision_as_object())

    def titles(user):
        return [entry.title for entry in visible_to(entries, user) if entry.is_item]

    assert titles(people["outsider"]) == [open_thread.title]
    assert set(titles(people["member"])) == {open_thread.title, secret.title}
    assert secret.title in titles(people["staff"])


def test_headings_left_with_nothing_under_them_are_not_shown(home, people):
    secret_place = add_community(home, "secret", "private")
    add_member(people["member"], secret_place)
    thread_at(people["member"], secret_place, "Only for members", at(2026, 10, 3))

    site = compile_roundup(None, OCTOBER).roundup
    entries = resolve(site.get_latest_revision_as_object())

    assert [entry.type for entry in visible_to(entries, people["outsider"])] == []
    assert [entry.type for entry in visible_to(entries, people["member"])] == ["heading", "thread"]
