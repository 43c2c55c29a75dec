"""The site's case-study moderation workflow: one review step that a facilitator of the case study's
community, or an editor, approves (``library.models.FacilitatorApprovalTask``).

Migration ``library.0006`` creates it on existing sites; ``ensure_case_study_workflow`` does the same for a
database that has lost its migration data (a flush), and ``cop_site.site_structure`` gives it to the library
page. ``library.submissions`` only asks ``page.get_workflow()``.
"""

from django.contrib.auth.models import Group
from django.db import transaction
from wagtail.models import Workflow, WorkflowPage, WorkflowTask

from .models import FacilitatorApprovalTask

WORKFLOW_NAME = "Case study review"
TASK_NAME = "Facilitator or editor approval"
EDITORS_GROUP = "Moderators"  # Wagtail's own moderators, created by its migrations


@transaction.atomic
def ensure_case_study_workflow():
    """The "Case study review" workflow with its one task, created if missing; existing ones are kept as editors left them."""
    workflow, created = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    if created or not workflow.workflow_tasks.exists():
        task = FacilitatorApprovalTask.objects.filter(name=TASK_NAME).first()
        if task is None:
            task = FacilitatorApprovalTask.objects.create(name=TASK_NAME)
            task.groups.set(Group.objects.filter(name=EDITORS_GROUP))
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return workflow


def assign_case_study_workflow(library_page):
    """Give the library page the case-study workflow unless it has a workflow of its own already."""
    if WorkflowPage.objects.filter(page=library_page).exists():
        return False
    workflow = ensure_case_study_workflow()
    if not workflow.active:  # editors switched it off: leave the library to the workflow it inherits
        return False
    WorkflowPage.objects.create(page=library_page, workflow=workflow)
    return True
