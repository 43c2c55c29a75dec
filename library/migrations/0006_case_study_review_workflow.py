"""The "Case study review" workflow: one task that the case study's community facilitators or an editor approve.

It replaces, for the library only, the "Moderators approval" workflow the library inherited from the root page
(case studies already in moderation finish in the workflow they started in). A library page that editors gave a
workflow of its own keeps it. ``library.workflows.ensure_case_study_workflow`` does the same at run time.
"""

from django.db import migrations

WORKFLOW_NAME = "Case study review"
TASK_NAME = "Facilitator or editor approval"
EDITORS_GROUP = "Moderators"


def create_workflow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    FacilitatorApprovalTask = apps.get_model("library", "FacilitatorApprovalTask")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    LibraryIndexPage = apps.get_model("library", "LibraryIndexPage")

    workflow, created = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    if not workflow.active:  # left switched off by unapplying this migration
        workflow.active = True
        workflow.save(update_fields=["active"])
    if created or not WorkflowTask.objects.filter(workflow=workflow).exists():
        task = FacilitatorApprovalTask.objects.filter(name=TASK_NAME).first()
        if task is None:
            content_type, _ = ContentType.objects.get_or_create(app_label="library", model="facilitatorapprovaltask")
            task = FacilitatorApprovalTask.objects.create(name=TASK_NAME, content_type=content_type, active=True)
            task.groups.set(Group.objects.filter(name=EDITORS_GROUP))
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)

    for library in LibraryIndexPage.objects.all():
        WorkflowPage.objects.get_or_create(page_id=library.pk, defaults={"workflow": workflow})


def detach_workflow(apps, schema_editor):
    """Going back: the library inherits its ancestors' workflow again; the workflow stays, switched off, for its history."""
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    WorkflowPage.objects.filter(workflow__name=WORKFLOW_NAME).delete()
    Workflow.objects.filter(name=WORKFLOW_NAME).update(active=False)


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("library", "0005_facilitator_approval_task"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_workflow, detach_workflow)]
