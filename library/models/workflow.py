"""The review step of the case-study workflow: the community's facilitators, or an editor, approve.

Wagtail 8 asks a Task who may review the object it holds (``wagtail.models.workflows.Task``):
- ``get_actions``: the approve / request-changes buttons, on the dashboard, in the editor's action menu and
  for the workflow action views (``wagtailadmin_pages:workflow_action``), which refuse a user offered none;
- ``user_can_access_editor``: opens the page editor to a reviewer who has no page permissions
  (``PagePermissionTester.can_edit``); ``locked_for_user`` keeps everybody else's edits out meanwhile;
- ``get_task_states_user_can_moderate``: what the dashboard's "Awaiting your review" panel and the
  workflows report list (``TaskState.objects.reviewable_by``);
- ``start``: called when a page reaches this step; ``task_submitted`` then fires, and
  ``library.signals`` emails the reviewers (Wagtail's own notifier only knows group approval tasks).

Reviewers are, for a case study about a community, that community's active facilitators
(``communities.permissions.can_moderate``, which also admits site staff), and always the editors: members
of the task's groups (Wagtail's "Moderators" by default), staff and superusers. A case study without a
community, or any other page given this workflow, is reviewed by the editors alone.

Which community counts is the one stored on the page row, not on the draft revision: the dashboard query can
only see stored rows, and the editor, the dashboard and the action must agree about who may act.
"""

from django import forms
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from wagtail.models import LockableMixin, Page, Task, TaskState

CACHE_ATTR = "_facilitator_approval_checks"


class FacilitatorApprovalTask(Task):
    """Approved by a facilitator of the case study's community, or by an editor."""

    groups = models.ManyToManyField(
        Group,
        blank=True,
        verbose_name=_("editors' groups"),
        help_text=_(
            "Members of these groups can approve every page at this step, whatever its community. "
            "Superusers and staff always can; so can the active facilitators of a case study's community."
        ),
    )

    admin_form_fields = Task.admin_form_fields + ["groups"]
    admin_form_widgets = {"groups": forms.CheckboxSelectMultiple}

    class Meta:
        verbose_name = _("facilitator or editor approval task")
        verbose_name_plural = _("facilitator or editor approval tasks")

    # Who reviews

    def is_editor(self, user):
        """Editors review everything at this step: staff, superusers and members of the task's groups."""
        from communities.permissions import is_staff

        if not (user and user.is_authenticated and user.is_active):
            return False
        return is_staff(user) or self.groups.filter(pk__in=user.groups.all()).exists()

    def review_community(self, obj):
        """The community whose facilitators review ``obj``: the stored case study's, or None."""
        from .case_studies import CaseStudyPage

        if not isinstance(obj, Page) or obj.pk is None:
            return None
        found = CaseStudyPage.objects.filter(pk=obj.pk).select_related("community").only("community").first()
        return found.community if found is not None else None

    def user_can_review(self, obj, user):
        """Whether ``user`` may approve or reject ``obj`` at this step (not cached: for decisions).

        A facilitator never reviews their own submission: someone else must read it (an editor may).
        """
        from communities.permissions import can_moderate

        if self.is_editor(user):
            return True
        if not (user and user.is_authenticated and user.is_active) or self.submitted_by(obj) == user.pk:
            return False
        community = self.review_community(obj)
        return community is not None and can_moderate(user, community)

    @staticmethod
    def submitted_by(obj):
        """The id of the member who wrote the case study (its page owner)."""
        return getattr(obj, "owner_id", None)

    def _can_review(self, obj, user):
        """``user_can_review``, remembered on the user object for the rest of the request (as Wagtail's group
        approval task does): the editor and the dashboard ask several times per page."""
        if not (user and user.is_authenticated):
            return False
        checks = getattr(user, CACHE_ATTR, None)
        if checks is None:
            checks = {}
            setattr(user, CACHE_ATTR, checks)
        key = (self.pk, getattr(obj, "pk", None))
        if key not in checks:
            checks[key] = self.user_can_review(obj, user)
        return checks[key]

    # The Task API

    def start(self, workflow_state, user=None):
        page = workflow_state.content_object
        if isinstance(page, LockableMixin) and page.locked_by_id and not self.user_can_review(page, page.locked_by):
            # Someone who can't review holds a lock: release it so the reviewers can work (as GroupApprovalTask does).
            page.locked, page.locked_by, page.locked_at = False, None, None
            page.save(update_fields=["locked", "locked_by", "locked_at"])
        return super().start(workflow_state, user=user)

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        # Wagtail's workflow action view checks get_actions against the page in the URL, but acts on the task
        # state named in the URL: check the reviewer against the page this task state is actually about.
        if action_name in {"approve", "reject"}:
            page = task_state.workflow_state.content_object
            if not self.user_can_review(page, user):
                raise PermissionDenied
        return super().on_action(task_state, user, action_name, **kwargs)

    def user_can_access_editor(self, obj, user):
        return self._can_review(obj, user)

    def locked_for_user(self, obj, user):
        return not self._can_review(obj, user)

    def user_can_lock(self, obj, user):
        return self._can_review(obj, user)

    def user_can_unlock(self, obj, user):
        return False

    def get_actions(self, obj, user):
        if self._can_review(obj, user):
            return [
                ("reject", _("Request changes"), True),
                ("approve", _("Approve"), False),
                ("approve", _("Approve with comment"), True),
            ]
        return []

    def get_task_states_user_can_moderate(self, user, **kwargs):
        from communities.permissions import memberships

        from .case_studies import CaseStudyPage

        in_progress = self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)
        if self.is_editor(user):
            return in_progress
        if not (user and user.is_authenticated and user.is_active):
            return TaskState.objects.none()
        facilitated = [cid for cid, found in memberships(user).items() if found.is_facilitator]
        if not facilitated:
            return TaskState.objects.none()
        case_study_ids = (
            CaseStudyPage.objects.filter(community_id__in=facilitated).exclude(owner=user)
            .annotate(object_id=Cast("pk", CharField()))
            .values("object_id")
        )
        return in_progress.filter(
            workflow_state__base_content_type=ContentType.objects.get_for_model(Page),
            workflow_state__object_id__in=case_study_ids,
        )

    def reviewers(self, obj, include_superusers=True):
        """Everyone who may review ``obj`` at this step (for the "submitted for review" email)."""
        from django.contrib.auth import get_user_model

        from communities.models import Membership

        users = get_user_model().objects.filter(is_active=True)
        reviewers = models.Q(is_staff=True) | models.Q(groups__in=self.groups.all())
        if include_superusers:
            reviewers |= models.Q(is_superuser=True)
        community = self.review_community(obj)
        if community is not None:
            facilitators = Membership.objects.facilitators().filter(community=community).exclude(user_id=self.submitted_by(obj))
            reviewers |= models.Q(pk__in=facilitators.values("user_id"))
        return users.filter(reviewers).distinct()

    @classmethod
    def get_description(cls):
        return _(
            "The active facilitators of the case study's community can approve, and so can members of the chosen "
            "groups, staff and superusers."
        )
