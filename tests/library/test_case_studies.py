from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import TaskState, WorkflowState

from communities.models import CommunityPage, Membership, Thread
from library.blocks import OutcomeBlock
from library.demo import CASE_STUDIES, load_case_studies
from library.models import CaseStudyNotice, CaseStudyPage, SlideDeck, Topic
from library.notifications import send_case_study_notice
from library.submissions import DRAFTS_PER_DAY
from tests.factories import create_member
from tests.library.conftest import publish_case_study

pytestmark = pytest.mark.django_db

SUBMIT_PATH = "/library/case-studies/submit/"


# Helpers

@pytest.fixture
def library(home):
    return home.get_children().get(slug="library").specific


def add_community(home, slug, visibility="public"):
    index = home.get_children().get(slug="communities").specific
    return index.add_child(instance=CommunityPage(title=slug.title(), slug=slug, summary=f"About {slug}.", visibility=visibility))


def add_thread(community, title, **kwargs):
    from django.utils import timezone

    return Thread.objects.create(community=community, title=title, last_post_at=timezone.now(), **kwargs)


def add_deck(title, community=None):
    return SlideDeck.objects.create(
        title=title, community=community, file="decks/2024/01/slides.pdf", original_filename="slides.pdf",
        kind=SlideDeck.Kind.PDF, status=SlideDeck.Status.READY,
    )


def topic_ids(*slugs):
    return [str(pk) for pk in Topic.objects.filter(slug__in=slugs).values_list("pk", flat=True)]


def management(prefix, total):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": str(total)}


def submission(**overrides):
    data = {
        "title": "Cutting repeat calls about missed bins",
        "summary": "Repeat calls about missed bins halved once crews and advisers shared one log.",
        "organisation": "Hollowmere District Council",
        "organisation_type": "district",
        "region": "east-midlands",
        "topics": topic_ids("contact-centres", "complaints"),
        "community": "",
        "challenge": "One in three bin calls was a repeat.\n\nCrews and advisers <b>never</b> talked.",
        "approach": "A shared log, and a daily call between the depot and the contact centre.",
        "lessons": "Start with the data the crews already keep.",
        **management("interventions", 3),
        "interventions-0-intervention": "Shared missed-bin log",
        "interventions-0-by_when": "By June",
        "interventions-0-by_whom": "Waste team leader",
        "interventions-0-main_risk": "Crews don't update the log",
        **management("outcomes", 3),
        "outcomes-0-metric": "Repeat calls about missed bins",
        "outcomes-0-before": "1,240",
        "outcomes-0-after": "610",
        "outcomes-0-unit": "calls a month",
        "outcomes-0-period": "April to October",
    }
    data.update(overrides)
    return data


def moderator():
    user = create_member(username="morgan", display_name="Morgan Moderator")
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def submitted_case_study(client, member, **overrides):
    client.force_login(member)
    response = client.post(SUBMIT_PATH, submission(**overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    return CaseStudyPage.objects.get(owner=member)


def emails_to(user):
    return [message for message in mail.outbox if user.email in message.to]


# The page

def test_case_study_page_shows_every_section_and_both_tables(client, library):
    page = publish_case_study(library)
    response = client.get(page.url)
    html = response.content.decode()
    assert response.status_code == 200
    for text in [
        "Quicker answers at Brackenfield", "Brackenfield Borough Council", "Metropolitan borough", "North West",
        "Contact centres", "Performance management", "Answer times fell from five minutes to under one.",
        "Queues were long every Monday.", "We rebuilt the rota around demand.", "Measure resolution, not only speed.",
        page.first_published_at.strftime("%Y-%m-%d"), "css/case-study.css",
    ]:
        assert text in html, text
    assert html.count('<th scope="col"') == 8 + 5
    assert "<caption>The intervention plan: 1 intervention," in html
    assert "Rota rebuilt around the Monday peak" in html and "Staff resistance to new shifts" in html
    assert "Weekly queue report" in html and "Shorter Monday queues" in html
    assert "Each measure before and after the work" in html
    assert "48%" in html and "81%" in html and "+33 percentage points" in html
    assert "305 seconds" in html and "−253 seconds" in html


def test_empty_optional_cells_say_not_stated(client, library):
    page = publish_case_study(library)
    page.interventions = [("intervention", {"intervention": "Only the essentials", "by_when": "May", "by_whom": "Team"})]
    page.save_revision().publish()
    html = client.get(page.url).content.decode()
    assert html.count("Not stated") == 5 + 1  # five intervention columns, one outcome period


def test_change_is_after_minus_before_in_the_measures_unit():
    block = OutcomeBlock()
    value = block.to_python({"metric": "Abandoned calls", "before": "18.5", "after": "6", "unit": "%", "period": ""})
    assert value.change == Decimal("-12.5")
    assert value.change_display == "−12.5 percentage points"
    count = block.to_python({"metric": "Complaints", "before": "1000", "after": "1250", "unit": "", "period": ""})
    assert count.change_display == "+250" and count.before_display == "1,000"
    one = block.to_python({"metric": "Rate", "before": "5", "after": "6", "unit": "%", "period": ""})
    assert one.change_display == "+1 percentage point"


def test_related_decks_and_threads_show_only_what_the_viewer_may_read(client, home, library):
    public = add_community(home, "open-forum")
    members_only = add_community(home, "members-room", visibility="members")
    private = add_community(home, "inner-circle", visibility="private")
    insider = create_member(username="insider")
    Membership.objects.create(user=insider, community=members_only)
    Membership.objects.create(user=insider, community=private)
    decks = [
        add_deck("Library-wide deck"), add_deck("Open forum deck", public),
        add_deck("Members room deck", members_only), add_deck("Inner circle deck", private),
    ]
    threads = [
        add_thread(public, "Open discussion"), add_thread(members_only, "Members discussion"),
        add_thread(private, "Inner discussion"), add_thread(public, "Hidden discussion", is_hidden=True),
    ]
    page = publish_case_study(library, community=private)
    page.related_decks = decks
    page.related_threads = threads
    page.save_revision().publish()

    visitor_html = client.get(page.url).content.decode()
    assert "Library-wide deck" in visitor_html and "Open forum deck" in visitor_html
    assert decks[0].get_absolute_url() in visitor_html
    assert "Open discussion" in visitor_html and threads[0].get_absolute_url() in visitor_html
    for secret in ["Members room deck", "Inner circle deck", "Members discussion", "Inner discussion", "Hidden discussion",
                   "Inner-Circle"]:
        assert secret not in visitor_html, secret

    client.force_login(insider)
    insider_html = client.get(page.url).content.decode()
    for shown in ["Members room deck", "Inner circle deck", "Members discussion", "Inner discussion", "Inner-Circle"]:
        assert shown in insider_html, shown
    assert "Hidden discussion" not in insider_html

    client.force_login(create_member(username="editor", is_staff=True))
    assert "Hidden discussion" in client.get(page.url).content.decode()


def test_the_page_costs_the_same_queries_however_many_related_items(client, home, library):
    public = add_community(home, "open-forum")
    page = publish_case_study(library)

    def queries_with(count):
        page.related_decks = [add_deck(f"Deck {count}-{n}", public) for n in range(count)]
        page.related_threads = [add_thread(public, f"Thread {count}-{n}") for n in range(count)]
        page.save_revision().publish()
        client.get(page.url)  # warm the site root cache
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page.url).status_code == 200
        return len(captured)

    assert queries_with(1) == queries_with(6)


# Submitting

def test_a_verified_member_submits_a_draft_that_waits_in_the_moderation_workflow(client, library, member):
    page = submitted_case_study(client, member)
    assert not page.live and page.first_published_at is None
    assert page.get_parent().pk == library.pk
    assert page.owner == member
    assert page.latest_revision is not None and page.latest_revision.user == member
    state = WorkflowState.objects.for_instance(page).get()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS and state.requested_by == member
    assert state.workflow.name == "Case study review"  # a facilitator of its community, or an editor, approves
    assert state.current_task_state.status == TaskState.STATUS_IN_PROGRESS

    assert [row.value["intervention"] for row in page.interventions] == ["Shared missed-bin log"]
    assert [(row.value["before"], row.value["after"]) for row in page.outcomes] == [(Decimal("1240"), Decimal("610"))]
    assert set(page.topics.values_list("slug", flat=True)) == {"contact-centres", "complaints"}
    # Typed text is escaped and turned into paragraphs, never taken as HTML.
    assert page.challenge == (
        "<p>One in three bin calls was a repeat.</p>\n\n<p>Crews and advisers &lt;b&gt;never&lt;/b&gt; talked.</p>"
    )

    client.logout()
    assert client.get(page.url).status_code == 404
    assert not CaseStudyPage.objects.live().public().filter(pk=page.pk).exists()
    listing = client.get("/library/")
    assert listing.status_code == 200
    assert b"Cutting repeat calls about missed bins" not in listing.content


def test_the_member_is_thanked_after_submitting(client, library, member):
    client.force_login(member)
    response = client.post(SUBMIT_PATH, submission(), follow=True)
    assert response.redirect_chain[-1][0].endswith("?sent=1")
    html = response.content.decode()
    assert "Thank you: an editor will review it" in html
    assert "Cutting repeat calls about missed bins" in html


def test_submitting_the_same_form_twice_makes_one_case_study(client, library, member):
    client.force_login(member)
    key = "5f0c4c3e-62c9-4a53-9b7d-4c3b2f0b1a11"
    client.post(SUBMIT_PATH, submission(submission_key=key))
    client.post(SUBMIT_PATH, submission(submission_key=key))
    assert CaseStudyPage.objects.filter(owner=member).count() == 1


def test_two_case_studies_with_one_title_get_their_own_addresses(client, library, member):
    client.force_login(member)
    client.post(SUBMIT_PATH, submission())
    client.post(SUBMIT_PATH, submission())
    slugs = sorted(CaseStudyPage.objects.values_list("slug", flat=True))
    assert slugs == ["cutting-repeat-calls-about-missed-bins", "cutting-repeat-calls-about-missed-bins-2"]


def test_a_member_can_send_only_a_few_case_studies_a_day(client, library, member):
    client.force_login(member)
    for number in range(DRAFTS_PER_DAY):
        client.post(SUBMIT_PATH, submission(title=f"Case study number {number}"))
    response = client.post(SUBMIT_PATH, submission(title="One too many"))
    assert response.status_code == 200 and b"Please wait for an editor" in response.content
    assert CaseStudyPage.objects.filter(owner=member).count() == DRAFTS_PER_DAY


def test_a_visitor_is_sent_to_sign_in(client, library):
    response = client.get(SUBMIT_PATH)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/") and "next=" in response["Location"]
    response = client.post(SUBMIT_PATH, submission())
    assert response.status_code == 302 and not CaseStudyPage.objects.exists()


def test_a_member_without_a_verified_email_is_refused(client, library):
    client.force_login(create_member(username="una", verified=False))
    response = client.get(SUBMIT_PATH)
    assert response.status_code == 403
    assert b"verify your email" in response.content
    assert client.post(SUBMIT_PATH, submission()).status_code == 403
    assert not CaseStudyPage.objects.exists()


def test_the_form_offers_only_the_members_own_communities(client, home, library, member):
    mine = add_community(home, "my-community")
    theirs = add_community(home, "their-community")
    Membership.objects.create(user=member, community=mine)
    client.force_login(member)
    html = client.get(SUBMIT_PATH).content.decode()
    assert "My-Community" in html and "Their-Community" not in html
    response = client.post(SUBMIT_PATH, submission(community=str(theirs.pk)))
    assert response.status_code == 200 and not CaseStudyPage.objects.exists()
    page = submitted_case_study(client, member, community=str(mine.pk))
    assert page.community == mine


def test_invalid_input_is_shown_again_with_what_was_typed(client, library, member):
    client.force_login(member)
    response = client.post(SUBMIT_PATH, submission(
        title="", topics=[], **{"outcomes-1-metric": "Abandoned calls", "outcomes-1-before": "lots"},
    ))
    html = response.content.decode()
    assert response.status_code == 200
    assert "There are problems with what you entered" in html
    assert "Choose at least one topic." in html
    assert "Enter a number." in html
    assert "One in three bin calls was a repeat." in html  # the typed challenge, kept
    assert "Hollowmere District Council" in html and "Shared missed-bin log" in html and "Abandoned calls" in html
    assert "&lt;b&gt;never&lt;/b&gt;" in html
    assert not CaseStudyPage.objects.exists()


def test_at_least_one_intervention_is_needed(client, library, member):
    client.force_login(member)
    blank_row = {f"interventions-0-{name}": "" for name in ["intervention", "by_when", "by_whom", "main_risk"]}
    response = client.post(SUBMIT_PATH, submission(**blank_row))
    assert response.status_code == 200
    assert b"Check the interventions" in response.content
    assert not CaseStudyPage.objects.exists()


def test_a_tampered_row_count_builds_no_extra_rows(client, library, member):
    client.force_login(member)
    data = submission(**{"interventions-TOTAL_FORMS": "1000", "interventions-5-intervention": "Sneaky"})
    response = client.post(SUBMIT_PATH, data)
    assert response.status_code == 200
    assert b"Please submit at most 3 forms." in response.content
    assert not CaseStudyPage.objects.exists()


def test_an_editor_can_review_the_draft_in_the_admin(client, library, member):
    page = submitted_case_study(client, member)
    client.force_login(create_member(username="root", is_staff=True, is_superuser=True))
    assert client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).status_code == 200
    draft = client.get(reverse("wagtailadmin_pages:view_draft", args=[page.pk]))
    assert draft.status_code == 200 and b"Shared missed-bin log" in draft.content


# Decisions

def test_a_moderator_approves_and_the_member_gets_the_live_link(client, library, member, django_capture_on_commit_callbacks):
    page = submitted_case_study(client, member)
    mail.outbox.clear()
    task_state = WorkflowState.objects.for_instance(page).get().current_task_state
    with django_capture_on_commit_callbacks(execute=True):
        task_state.task.specific.on_action(task_state.specific, moderator(), "approve")

    page.refresh_from_db()
    assert page.live and page.first_published_at is not None
    assert WorkflowState.objects.for_instance(page).get().status == WorkflowState.STATUS_APPROVED
    [email] = emails_to(member)  # ours only: Wagtail's admin-link email is not sent to members
    assert "published" in email.subject and page.title in email.subject
    assert f"http://testserver{page.url}" in email.body
    assert f'href="http://testserver{page.url}"' in email.alternatives[0][0]
    client.logout()
    assert client.get(page.url).status_code == 200


def test_later_edits_to_a_published_case_study_send_nothing_more(client, library, member, django_capture_on_commit_callbacks):
    page = submitted_case_study(client, member)
    task_state = WorkflowState.objects.for_instance(page).get().current_task_state
    with django_capture_on_commit_callbacks(execute=True):
        task_state.task.specific.on_action(task_state.specific, moderator(), "approve")
    mail.outbox.clear()
    page = CaseStudyPage.objects.get(pk=page.pk)
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert emails_to(member) == []


def test_a_reviewer_requests_changes_in_the_admin_and_the_member_hears_why(client, library, member, django_capture_on_commit_callbacks):
    page = submitted_case_study(client, member)
    mail.outbox.clear()
    task_state = WorkflowState.objects.for_instance(page).get().current_task_state
    client.force_login(create_member(username="root", is_staff=True, is_superuser=True))
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "reject", task_state.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"comment": "Please add the before and after figures <for Q2>."})
    assert response.status_code == 302

    page.refresh_from_db()
    assert not page.live
    assert WorkflowState.objects.for_instance(page).get().status == WorkflowState.STATUS_NEEDS_CHANGES
    [email] = emails_to(member)
    assert "needs changes" in email.subject
    assert "Please add the before and after figures <for Q2>." in email.body
    assert f"http://testserver{SUBMIT_PATH}" in email.body
    html = email.alternatives[0][0]
    assert "&lt;for Q2&gt;" in html and "<for Q2>" not in html


def test_a_rejection_without_a_comment_still_tells_the_member(client, library, member, django_capture_on_commit_callbacks):
    page = submitted_case_study(client, member)
    mail.outbox.clear()
    task_state = WorkflowState.objects.for_instance(page).get().current_task_state
    with django_capture_on_commit_callbacks(execute=True):
        task_state.task.specific.on_action(task_state.specific, moderator(), "reject")
    [email] = emails_to(member)
    assert "comment" not in email.body and SUBMIT_PATH in email.body


def test_running_the_notice_task_twice_sends_one_email(client, library, member, django_capture_on_commit_callbacks):
    page = submitted_case_study(client, member)
    task_state = WorkflowState.objects.for_instance(page).get().current_task_state
    with django_capture_on_commit_callbacks(execute=False):
        task_state.task.specific.on_action(task_state.specific, moderator(), "approve")
    mail.outbox.clear()
    send_case_study_notice.call(page.pk, "approved", f"approved:{page.pk}")
    send_case_study_notice.call(page.pk, "approved", f"approved:{page.pk}")
    assert len(emails_to(member)) == 1
    assert CaseStudyNotice.objects.filter(page=page).count() == 1


def test_a_failed_send_can_be_retried(client, library, member, monkeypatch, django_capture_on_commit_callbacks):
    page = submitted_case_study(client, member)
    task_state = WorkflowState.objects.for_instance(page).get().current_task_state
    with django_capture_on_commit_callbacks(execute=False):
        task_state.task.specific.on_action(task_state.specific, moderator(), "approve")

    def broken_send(self, *args, **kwargs):
        raise ConnectionError("mail server down")

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.EmailMultiAlternatives.send", broken_send)
        with pytest.raises(ConnectionError):
            send_case_study_notice.call(page.pk, "approved", f"approved:{page.pk}")
    assert not CaseStudyNotice.objects.exists()
    mail.outbox.clear()
    send_case_study_notice.call(page.pk, "approved", f"approved:{page.pk}")
    assert len(emails_to(member)) == 1


def test_an_editors_own_case_study_sends_no_member_email(library, django_capture_on_commit_callbacks):
    editor = create_member(username="eddie", is_staff=True, is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        publish_case_study(library, owner=editor)
    assert emails_to(editor) == []


# Demo content

def test_demo_case_studies_are_published_once(library):
    out = StringIO()
    load_case_studies(out)
    assert CaseStudyPage.objects.live().count() == len(CASE_STUDIES) == 2
    for page in CaseStudyPage.objects.all():
        assert page.topics.exists() and len(page.interventions) >= 3 and len(page.outcomes) >= 3
    assert out.getvalue().count("created case study") == 2

    again = StringIO()
    load_case_studies(again)
    assert CaseStudyPage.objects.count() == 2
    assert "created" not in again.getvalue() and again.getvalue().count("kept case study") == 2


def test_demo_case_studies_render(client, library):
    load_case_studies(StringIO())
    for page in CaseStudyPage.objects.all():
        response = client.get(page.url)
        assert response.status_code == 200
        assert b"percentage points" in response.content
