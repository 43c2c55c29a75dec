"""Members' case studies are reviewed by their community's facilitators, or by an editor, in the Wagtail admin.

The workflow is "Case study review" (library.workflows) with one FacilitatorApprovalTask; facilitators reach
the admin through the "Facilitators" group (communities.admin_access), which grants access_admin alone.
"""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import nested_form_data, querydict_from_html, streamfield
from wagtail.models import Page, TaskState, Workflow, WorkflowPage, WorkflowState

from communities import services
from communities.admin_access import FACILITATORS_GROUP, sync_admin_access
from communities.models import Membership, Thread
from cop_site.site_structure import ensure_site_structure
from library.models import CaseStudyPage, FacilitatorApprovalTask
from library.workflows import TASK_NAME, WORKFLOW_NAME
from tests.factories import add_community, add_member, create_member
from tests.library.test_case_studies import SUBMIT_PATH, emails_to, submission

pytestmark = pytest.mark.django_db

Role = Membership.Role


@pytest.fixture
def cast(home, member):
    """Community X with the submitting member and its facilitator; community Y with its own facilitator."""
    x = add_community(home, "contact-centres-x", title="Contact centres X")
    y = add_community(home, "scrutiny-y", title="Scrutiny Y")
    add_member(member, x)
    facilitator = create_member(username="fay", display_name="Fay Facilitator")
    add_member(facilitator, x, Role.FACILITATOR)
    other_facilitator = create_member(username="otto", display_name="Otto Elsewhere")
    add_member(other_facilitator, y, Role.FACILITATOR)
    return {
        "x": x, "y": y, "member": member, "facilitator": facilitator, "other_facilitator": other_facilitator,
        "editor": create_member(username="root", is_staff=True, is_superuser=True),
    }


def submit(client, member, community, title="Cutting repeat calls about missed bins"):
    client.force_login(member)
    response = client.post(SUBMIT_PATH, submission(community=str(community.pk), title=title))
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    return CaseStudyPage.objects.get(owner=member, title=title)


def task_state_of(page):
    return WorkflowState.objects.for_instance(page).get().current_task_state


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def action_url(page, action, task_state):
    return reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, task_state.pk])


def fresh(user):
    """The user as the next request will load them (group and permission caches empty)."""
    return get_user_model().objects.get(pk=user.pk)


# The workflow

def test_a_members_submission_waits_in_the_case_study_review(client, cast):
    page = submit(client, cast["member"], cast["x"])
    state = WorkflowState.objects.for_instance(page).get()
    assert state.workflow.name == WORKFLOW_NAME and state.status == WorkflowState.STATUS_IN_PROGRESS
    task = state.current_task_state.task.specific
    assert isinstance(task, FacilitatorApprovalTask) and task.name == TASK_NAME
    assert list(task.groups.values_list("name", flat=True)) == ["Moderators"]
    assert not page.live


def test_the_reviewers_are_emailed_with_the_admin_links(client, cast, django_capture_on_commit_callbacks):
    moderator = create_member(username="morgan")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page = submit(client, cast["member"], cast["x"])
    for reviewer in [cast["facilitator"], moderator, cast["editor"]]:
        [email] = [m for m in emails_to(reviewer) if "submitted for approval" in m.subject]
        assert page.title in email.subject
        assert f"http://testserver{edit_url(page)}" in email.body
    assert [m for m in emails_to(cast["other_facilitator"]) if "submitted" in m.subject] == []
    assert [m for m in emails_to(cast["member"]) if "submitted" in m.subject] == []


# A facilitator of the case study's community

def test_the_facilitator_sees_it_on_the_dashboard_and_opens_the_editor(client, cast):
    page = submit(client, cast["member"], cast["x"])
    task_state = task_state_of(page)
    client.force_login(cast["facilitator"])

    dashboard = client.get(reverse("wagtailadmin_home"))
    assert dashboard.status_code == 200
    html = dashboard.content.decode()
    assert page.title in html
    assert action_url(page, "approve", task_state) in html and action_url(page, "reject", task_state) in html

    editor = client.get(edit_url(page))
    assert editor.status_code == 200
    html = editor.content.decode()
    assert "Approve" in html and "Request changes" in html
    # Choosers listing other communities' pages, threads and decks are for editors.
    for field in ['name="community"', 'name="related_threads"', 'name="related_decks"']:
        assert field not in html, field
    preview = reverse("wagtailadmin_pages:workflow_preview", args=[page.pk, task_state.task_id])
    assert client.get(preview).status_code == 200


def test_the_facilitator_approves_in_the_admin_and_the_member_gets_the_live_link(client, cast, django_capture_on_commit_callbacks):
    page = submit(client, cast["member"], cast["x"])
    task_state = task_state_of(page)
    mail.outbox.clear()
    client.force_login(cast["facilitator"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action_url(page, "approve", task_state), {"comment": ""})
    assert response.status_code == 302 and response["Location"] == edit_url(page)

    page.refresh_from_db()
    assert page.live and page.first_published_at is not None
    state = WorkflowState.objects.for_instance(page).get()
    assert state.status == WorkflowState.STATUS_APPROVED
    assert TaskState.objects.get(pk=task_state.pk).finished_by == cast["facilitator"]
    [email] = emails_to(cast["member"])
    assert "published" in email.subject and f"http://testserver{page.url}" in email.body
    client.logout()
    assert client.get(page.url).status_code == 200


def test_the_facilitator_requests_changes_and_the_member_hears_why(client, cast, django_capture_on_commit_callbacks):
    page = submit(client, cast["member"], cast["x"])
    task_state = task_state_of(page)
    mail.outbox.clear()
    client.force_login(cast["facilitator"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action_url(page, "reject", task_state), {"comment": "Please add the Q2 figures."})
    assert response.status_code == 302

    page.refresh_from_db()
    assert not page.live
    assert WorkflowState.objects.for_instance(page).get().status == WorkflowState.STATUS_NEEDS_CHANGES
    [email] = emails_to(cast["member"])
    assert "needs changes" in email.subject and "Please add the Q2 figures." in email.body


def test_the_facilitator_approves_through_the_task_api(client, cast, django_capture_on_commit_callbacks):
    page = submit(client, cast["member"], cast["x"])
    task_state = task_state_of(page)
    with django_capture_on_commit_callbacks(execute=True):
        task_state.task.specific.on_action(task_state.specific, fresh(cast["facilitator"]), "approve")
    page.refresh_from_db()
    assert page.live
    assert len(emails_to(cast["member"])) == 1


def test_a_facilitators_draft_edit_keeps_the_community_and_related_items(client, cast):
    page = submit(client, cast["member"], cast["x"])
    thread = Thread.objects.create(community=cast["x"], title="Where the idea came from", last_post_at=timezone.now())
    revision = page.get_latest_revision()
    draft = revision.as_object()
    draft.related_threads = [thread]
    draft.save_revision()  # an editor linked a thread before review
    client.force_login(cast["facilitator"])
    html = client.get(edit_url(page)).content.decode()
    data = querydict_from_html(html, form_id="page-edit-form")  # the StreamFields are built in the browser:
    data.update(nested_form_data({
        "interventions": streamfield([("intervention", {
            "intervention": "Shared missed-bin log", "by_when": "By June", "by_whom": "Waste team leader",
            "resource_implications": "", "main_risk": "", "contingency": "", "monitoring": "", "expected_outcome": "",
        })]),
        "outcomes": streamfield([("outcome", {
            "metric": "Repeat calls about missed bins", "before": "1240", "after": "610", "unit": "calls a month", "period": "",
        })]),
    }))
    data["summary"] = "Repeat calls halved; the facilitator tightened this summary."
    response = client.post(edit_url(page), data)
    assert response.status_code == 302, response.content.decode()[:3000]

    saved = CaseStudyPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    assert saved.summary == "Repeat calls halved; the facilitator tightened this summary."
    assert saved.community == cast["x"]
    assert list(saved.related_threads.all()) == [thread]
    assert task_state_of(page).status == TaskState.STATUS_IN_PROGRESS  # still waiting for a decision


# Others

def test_a_facilitator_of_another_community_cannot_review_it(client, cast, django_capture_on_commit_callbacks):
    page = submit(client, cast["member"], cast["x"])
    task_state = task_state_of(page)
    outsider = cast["other_facilitator"]
    task = task_state.task.specific
    assert task.get_actions(page, fresh(outsider)) == []
    assert not task.user_can_access_editor(page, fresh(outsider))
    assert task.locked_for_user(page, fresh(outsider))

    client.force_login(outsider)
    dashboard = client.get(reverse("wagtailadmin_home"))
    assert dashboard.status_code == 200 and page.title not in dashboard.content.decode()
    assert client.get(edit_url(page)).status_code in {302, 403}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action_url(page, "approve", task_state), {"comment": ""})
    assert response.status_code in {302, 403}
    page.refresh_from_db()
    assert not page.live and task_state_of(page).status == TaskState.STATUS_IN_PROGRESS
    with pytest.raises(PermissionDenied):
        task.on_action(task_state.specific, fresh(outsider), "approve")
    assert emails_to(cast["member"]) == []


def test_a_facilitator_cannot_act_on_another_communitys_task_through_their_own_page(client, cast, django_capture_on_commit_callbacks):
    """Wagtail checks the actions against the page in the URL but acts on the task state in the URL."""
    theirs = submit(client, cast["member"], cast["x"])
    Membership.objects.create(user=create_member(username="yann"), community=cast["y"])
    own = submit(client, get_user_model().objects.get(username="yann"), cast["y"], title="A scrutiny review that worked")
    client.force_login(cast["other_facilitator"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action_url(own, "approve", task_state_of(theirs)), {"comment": ""})
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")  # Wagtail's "no permission"
    theirs.refresh_from_db()
    assert not theirs.live and task_state_of(theirs).status == TaskState.STATUS_IN_PROGRESS


def test_a_case_study_without_a_community_is_for_editors_only(client, cast):
    client.force_login(cast["member"])
    assert client.post(SUBMIT_PATH, submission()).status_code == 302
    page = CaseStudyPage.objects.get(owner=cast["member"])
    task = task_state_of(page).task.specific
    assert task.get_actions(page, fresh(cast["facilitator"])) == []
    assert task.get_actions(page, fresh(cast["editor"])) != []


def test_a_plain_member_cannot_reach_the_admin(client, cast):
    page = submit(client, cast["member"], cast["x"])
    plain = create_member(username="pat")
    add_member(plain, cast["x"])
    for user in [plain, cast["member"]]:
        client.force_login(user)
        assert not fresh(user).has_perm("wagtailadmin.access_admin")
        assert client.get(reverse("wagtailadmin_home")).status_code == 302
        assert client.get(edit_url(page)).status_code == 302
        task_state = task_state_of(page)
        assert client.post(action_url(page, "approve", task_state), {"comment": ""}).status_code == 302
    page.refresh_from_db()
    assert not page.live


def test_an_editor_can_still_approve(client, cast, django_capture_on_commit_callbacks):
    page = submit(client, cast["member"], cast["x"])
    task_state = task_state_of(page)
    mail.outbox.clear()
    client.force_login(cast["editor"])
    assert client.get(edit_url(page)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action_url(page, "approve", task_state), {"comment": ""})
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live
    assert len(emails_to(cast["member"])) == 1


def test_the_facilitator_gets_no_other_page_to_edit(client, cast):
    page = submit(client, cast["member"], cast["x"])
    client.force_login(cast["facilitator"])
    library = page.get_parent()
    for url in [
        reverse("wagtailadmin_explore_root"), reverse("wagtailadmin_explore", args=[library.pk]),
        reverse("wagtailadmin_pages:edit", args=[library.pk]), reverse("wagtailadmin_pages:edit", args=[cast["x"].pk]),
        reverse("wagtailadmin_pages:add_subpage", args=[library.pk]),
        "/admin/communities/memberships/", "/admin/library/decks/", "/admin/snippets/", "/admin/workflows/list/",
    ]:
        assert client.get(url).status_code in {302, 403}, url
    # Once reviewed, the case study itself closes to them again.
    task_state = task_state_of(page)
    client.post(action_url(page, "approve", task_state), {"comment": ""})
    assert client.get(edit_url(page)).status_code == 302
    group = Group.objects.get(name=FACILITATORS_GROUP)
    assert [p.codename for p in group.permissions.all()] == ["access_admin"]
    assert not group.page_permissions.exists() and not group.collection_permissions.exists()


def test_the_page_chooser_hides_drafts_and_private_communities_from_facilitators(client, cast, home):
    page = submit(client, cast["member"], cast["x"])
    add_community(home, "inner-circle", visibility="private", title="Inner circle")
    client.force_login(cast["facilitator"])
    communities_index = cast["x"].get_parent()
    listing = client.get(reverse("wagtailadmin_choose_page_child", args=[communities_index.pk])).content.decode()
    assert "Contact centres X" in listing and "Inner circle" not in listing
    search = client.get(reverse("wagtailadmin_choose_page_search"), {"q": "inner"}).content.decode()
    assert "Inner circle" not in search
    search = client.get(reverse("wagtailadmin_choose_page_search"), {"q": "bins"}).content.decode()
    assert page.title not in search
    client.force_login(cast["editor"])
    listing = client.get(reverse("wagtailadmin_choose_page_child", args=[communities_index.pk])).content.decode()
    assert "Inner circle" in listing


# The Facilitators group

def test_the_facilitators_group_follows_the_facilitator_role(home):
    x, y = add_community(home, "x-community"), add_community(home, "y-community")
    user = create_member(username="fran")

    def in_group():
        return fresh(user).groups.filter(name=FACILITATORS_GROUP).exists()

    def can_open_admin():
        return fresh(user).has_perm("wagtailadmin.access_admin")

    in_x = add_member(user, x)
    assert not in_group() and not can_open_admin()
    in_x.role = Role.FACILITATOR
    in_x.save()
    assert in_group() and can_open_admin()
    in_y = add_member(user, y, Role.FACILITATOR)
    in_x.role = Role.MEMBER
    in_x.save()
    assert in_group()  # still facilitates Y
    in_y.status = Membership.Status.REMOVED
    in_y.save()
    assert not in_group() and not can_open_admin()
    in_y.status = Membership.Status.ACTIVE
    in_y.save()
    assert in_group()
    services.leave(user, y)  # deletes the membership
    assert not in_group()
    in_x.role = Role.FACILITATOR
    in_x.save()
    x.delete()  # the community goes, and the memberships with it
    assert not in_group()


def test_a_pending_facilitator_membership_opens_nothing(home):
    x = add_community(home, "x-community")
    user = create_member(username="pip")
    add_member(user, x, Role.FACILITATOR, status=Membership.Status.INVITED)
    assert not fresh(user).has_perm("wagtailadmin.access_admin")
    assert sync_admin_access(user.pk) is False


def test_the_group_is_recreated_with_admin_access_only_if_it_went_missing(home):
    Group.objects.filter(name=FACILITATORS_GROUP).delete()
    user = create_member(username="fran")
    add_member(user, add_community(home, "x-community"), Role.FACILITATOR)
    group = Group.objects.get(name=FACILITATORS_GROUP)
    assert [p.codename for p in group.permissions.all()] == ["access_admin"]
    assert fresh(user).has_perm("wagtailadmin.access_admin")


def test_deleting_a_facilitator_deletes_their_memberships_cleanly(home):
    user = create_member(username="fran")
    add_member(user, add_community(home, "x-community"), Role.FACILITATOR)
    add_member(user, add_community(home, "y-community"), Role.FACILITATOR)
    user.delete()
    assert not Membership.objects.exists()


# Setting the workflow up

def test_the_library_gets_the_case_study_review_workflow(home):
    library = home.get_children().get(slug="library").specific
    assert library.get_workflow().name == WORKFLOW_NAME
    assert WorkflowPage.objects.get(page=library).workflow.name == WORKFLOW_NAME


def test_a_flushed_database_gets_the_workflow_back(home):
    library = home.get_children().get(slug="library")
    Workflow.objects.filter(name=WORKFLOW_NAME).delete()
    FacilitatorApprovalTask.objects.all().delete()
    assert library.get_workflow().name == "Moderators approval"  # inherited from the root
    ensure_site_structure(hostname="testserver", port=80)
    workflow = Page.objects.get(pk=library.pk).get_workflow()
    assert workflow.name == WORKFLOW_NAME
    assert [task.specific.__class__ for task in workflow.tasks] == [FacilitatorApprovalTask]


def test_a_workflow_editors_gave_the_library_is_kept(home):
    library = home.get_children().get(slug="library")
    own = Workflow.objects.create(name="Legal review")
    WorkflowPage.objects.filter(page=library).update(workflow=own)
    ensure_site_structure(hostname="testserver", port=80)
    assert Page.objects.get(pk=library.pk).get_workflow() == own


def test_the_migration_gives_an_existing_library_the_workflow(home):
    library = home.get_children().get(slug="library")
    WorkflowPage.objects.filter(page=library).delete()
    Workflow.objects.filter(name=WORKFLOW_NAME).delete()
    FacilitatorApprovalTask.objects.all().delete()
    migration = importlib.import_module("library.migrations.0006_case_study_review_workflow")
    migration.create_workflow(apps, None)
    migration.create_workflow(apps, None)  # safe to run again
    workflow = Page.objects.get(pk=library.pk).get_workflow()
    assert workflow.name == WORKFLOW_NAME
    assert Workflow.objects.filter(name=WORKFLOW_NAME).count() == 1 and FacilitatorApprovalTask.objects.count() == 1
    task = workflow.tasks.get().specific
    assert isinstance(task, FacilitatorApprovalTask) and list(task.groups.values_list("name", flat=True)) == ["Moderators"]


def test_the_facilitators_migration_adds_existing_facilitators(home):
    user = create_member(username="fran")
    add_member(user, add_community(home, "x-community"), Role.FACILITATOR)
    Group.objects.filter(name=FACILITATORS_GROUP).delete()
    migration = importlib.import_module("communities.migrations.0004_facilitators_group")
    migration.create_group(apps, None)
    assert fresh(user).has_perm("wagtailadmin.access_admin")


def test_a_facilitator_cannot_approve_their_own_case_study(client, cast, django_capture_on_commit_callbacks):
    """Another facilitator of the community, or an editor, reads it first."""
    author = cast["facilitator"]
    second = create_member(username="gwen", display_name="Gwen Second")
    add_member(second, cast["x"], Role.FACILITATOR)
    page = submit(client, author, cast["x"], title="Our own channel shift")
    task_state = task_state_of(page)
    task = task_state.task.specific

    assert task.get_actions(page, fresh(author)) == []
    assert list(task.get_task_states_user_can_moderate(fresh(author))) == []
    assert set(task.reviewers(page)) == {second, cast["editor"]}
    client.force_login(author)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(action_url(page, "approve", task_state), {"comment": ""})
    page.refresh_from_db()
    assert not page.live
    with pytest.raises(PermissionDenied):
        task.on_action(task_state.specific, fresh(author), "approve")

    assert task.get_actions(page, fresh(second)) != []
