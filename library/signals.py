"""Telling members what became of the case study they submitted.

Wagtail 8 signals used:
- ``wagtail.signals.page_published`` (sender: the specific page class) fires whenever a revision goes live,
  including when the last task of a workflow is approved (``WorkflowState.finish`` publishes, then sends
  ``workflow_approved``) and when an editor publishes directly. A case study its owner sent for
  moderation emails the owner once, with the live link.
- ``wagtail.signals.workflow_rejected`` (sender: ``WorkflowState``) fires when a reviewer requests changes:
  the task state is already saved as rejected, with the reviewer's comment. (``task_rejected`` follows it
  for the same event; listening to one is enough.)

Wagtail's own approval and rejection emails go to whoever requested the review and link to the admin.
Members who cannot use the admin get ours instead, so the notifiers below take the place of Wagtail's
(same dispatch_uid: whichever app is ready first, only one of each stays connected).

- ``wagtail.signals.task_submitted`` (sender: ``TaskState``) fires when a page reaches a task. Wagtail emails
  the groups of a group approval task only; for the case-study review task (``FacilitatorApprovalTask``) the
  notifier below emails its reviewers instead: the community's facilitators and the editors, those of them who
  can open the admin, with Wagtail's "submitted for approval" text and links to preview and review.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete, post_save
from wagtail.admin.mail import (
    BaseGroupApprovalTaskStateEmailNotifier,
    WorkflowStateApprovalEmailNotifier,
    WorkflowStateRejectionEmailNotifier,
)
from wagtail.models import TaskState, WorkflowState
from wagtail.signals import page_published, page_unpublished, task_submitted, workflow_approved, workflow_rejected

from communities.models import CommunityPage

from .models import CaseStudyNotice, CaseStudyPage, FacilitatorApprovalTask, SlideDeck, Topic
from .notifications import notify_after_commit, submitted_by_owner
from .queries import forget_filter_choices, forget_library_years

Kind = CaseStudyNotice.Kind


def case_study_published(sender, instance, **kwargs):
    page = instance
    if page.live and submitted_by_owner(page):
        notify_after_commit(page.pk, Kind.APPROVED, f"approved:{page.pk}")


def case_study_rejected(sender, instance, **kwargs):
    workflow_state = instance
    if workflow_state.content_type_id != ContentType.objects.get_for_model(CaseStudyPage).pk:
        return
    page = CaseStudyPage.objects.filter(pk=workflow_state.object_id).only("owner").first()
    task_state = workflow_state.current_task_state
    # Only the member's own submission: an editor re-submitting a member's draft is an editors' matter.
    if page is None or task_state is None or not page.owner_id or workflow_state.requested_by_id != page.owner_id:
        return
    notify_after_commit(page.pk, Kind.REJECTED, f"rejected:{task_state.pk}", task_state.pk)


class AdminUsersOnly:
    """Wagtail's workflow emails link to the admin: send them only to people who can open it."""

    def get_recipient_users(self, workflow_state, **kwargs):
        users = super().get_recipient_users(workflow_state, **kwargs)
        return {user for user in users if user and user.has_perm("wagtailadmin.access_admin")}


class ApprovalEmailToAdminUsers(AdminUsersOnly, WorkflowStateApprovalEmailNotifier):
    pass


class RejectionEmailToAdminUsers(AdminUsersOnly, WorkflowStateRejectionEmailNotifier):
    pass


class ReviewRequestEmailNotifier(BaseGroupApprovalTaskStateEmailNotifier):
    """Wagtail's "submitted for approval" email, to everyone who may review the page at a FacilitatorApprovalTask."""

    notification = "submitted"

    def can_handle(self, instance, **kwargs):
        return isinstance(instance, TaskState) and isinstance(instance.task.specific, FacilitatorApprovalTask)

    def get_recipient_users(self, task_state, **kwargs):
        include_superusers = getattr(settings, "WAGTAILADMIN_NOTIFICATION_INCLUDE_SUPERUSERS", True)
        recipients = task_state.task.specific.reviewers(
            task_state.workflow_state.content_object, include_superusers=include_superusers
        )
        triggering_user = kwargs.get("user")
        if triggering_user is not None:
            recipients = recipients.exclude(pk=triggering_user.pk)
        return set(recipients)


class ReviewRequestEmailToAdminUsers(AdminUsersOnly, ReviewRequestEmailNotifier):
    pass


approval_email_notifier = ApprovalEmailToAdminUsers()
rejection_email_notifier = RejectionEmailToAdminUsers()
review_request_email_notifier = ReviewRequestEmailToAdminUsers()

# The dispatch_uids wagtail.admin.signal_handlers uses for the notifiers these replace.
REPLACED_NOTIFIERS = [
    (workflow_approved, approval_email_notifier, "workflow_state_approved_email_notification"),
    (workflow_rejected, rejection_email_notifier, "workflow_state_rejected_email_notification"),
]


LIBRARY_CHANGES = [
    ("deck_saved", post_save, SlideDeck),
    ("deck_deleted", post_delete, SlideDeck),
    ("case_study_published", page_published, CaseStudyPage),
    ("case_study_unpublished", page_unpublished, CaseStudyPage),
    ("case_study_deleted", post_delete, CaseStudyPage),
]


FILTER_CHOICE_CHANGES = [
    ("community_saved", post_save, CommunityPage),   # publishing saves the page: a new title, slug or visibility
    ("community_unpublished", page_unpublished, CommunityPage),
    ("community_deleted", post_delete, CommunityPage),
    ("topic_saved", post_save, Topic),
    ("topic_deleted", post_delete, Topic),
]


def connect():
    # The library filter's cached years (queries.library_years) change with the items listed, its cached topics and
    # communities (queries.filter_choices) with the communities and topics.
    for name, signal, sender in LIBRARY_CHANGES:
        signal.connect(forget_library_years, sender=sender, dispatch_uid=f"library_years_{name}")
    for name, signal, sender in FILTER_CHOICE_CHANGES:
        signal.connect(forget_filter_choices, sender=sender, dispatch_uid=f"library_choices_{name}")
    page_published.connect(case_study_published, sender=CaseStudyPage, dispatch_uid="library_case_study_published")
    workflow_rejected.connect(case_study_rejected, sender=WorkflowState, dispatch_uid="library_case_study_rejected")
    task_submitted.connect(
        review_request_email_notifier, sender=TaskState, dispatch_uid="library_case_study_review_requested"
    )
    for signal, notifier, dispatch_uid in REPLACED_NOTIFIERS:
        signal.disconnect(sender=WorkflowState, dispatch_uid=dispatch_uid)
        signal.connect(notifier, sender=WorkflowState, dispatch_uid=dispatch_uid)
