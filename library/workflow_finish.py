"""What happens when a workflow's last step is approved (``WAGTAIL_FINISH_WORKFLOW_ACTION``).

Wagtail's default (``wagtail.workflows.publish_workflow_state``) publishes the latest revision as the approver,
which checks that the approver may publish the page. Facilitators have no page permissions: when the last
step is a ``FacilitatorApprovalTask`` that the same user has just approved (its ``on_action`` checked they
review this page), their approval is the permission to publish. Anything else publishes exactly as Wagtail's.

Wagtail imports this while loading its models: keep imports inside the function.
"""


def publish_workflow_state(workflow_state, user=None):
    from wagtail.models import TaskState

    from .models import FacilitatorApprovalTask

    task_state = workflow_state.current_task_state
    approved_here = (
        user is not None
        and task_state is not None
        and task_state.status == TaskState.STATUS_APPROVED
        and task_state.finished_by_id == user.pk
        and isinstance(task_state.task.specific, FacilitatorApprovalTask)
    )
    workflow_state.content_object.get_latest_revision().publish(user=user, skip_permission_checks=approved_here)
