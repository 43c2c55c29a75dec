"""Telling a member what an editor decided about their case study: published, or changes requested.

``signals`` enqueues ``send_case_study_notice`` after the decision commits. The task is safe to run twice:
it first claims a ``CaseStudyNotice`` row with a unique key (one per publication, one per rejected task
state), and gives the claim back if the email cannot be sent, so a retry sends it.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django_tasks import task
from wagtail.models import TaskState, WorkflowState

from communities.notifications import absolute_url, display_name, one_line

from .models import CaseStudyNotice, CaseStudyPage

logger = logging.getLogger(__name__)

Kind = CaseStudyNotice.Kind

SUBJECTS = {
    Kind.APPROVED: "Your case study is published: {title}",
    Kind.REJECTED: "Your case study needs changes: {title}",
}


def submitted_by_owner(page):
    """Whether the page's owner sent it for moderation (a member's submission, not an editor's own page)."""
    return bool(page.owner_id) and WorkflowState.objects.for_instance(page).filter(requested_by_id=page.owner_id).exists()


def notify_after_commit(page_id, kind, key, task_state_id=None):
    transaction.on_commit(
        lambda: send_case_study_notice.enqueue(page_id, str(kind), key, task_state_id), robust=True
    )


def submit_again_url(page):
    library = page.get_parent().specific
    return absolute_url(library.url + library.reverse_subpage("submit_case_study"))


def build_email(page, kind, task_state=None):
    recipient = page.owner
    context = {
        "recipient_name": display_name(recipient),
        "title": page.title,
        "site_name": settings.WAGTAIL_SITE_NAME,
        "site_url": absolute_url("/"),
    }
    if kind == Kind.APPROVED:
        context["page_url"] = page.full_url or absolute_url(page.url)
    else:
        context["comment"] = (task_state.comment if task_state else "").strip()
        context["submit_url"] = submit_again_url(page)
    template = f"library/email/case_study_{kind}"
    message = EmailMultiAlternatives(
        subject=one_line(f"[{settings.WAGTAIL_SITE_NAME}] " + SUBJECTS[kind].format(title=page.title)),
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def still_worth_sending(page, kind, task_state):
    owner = page.owner
    if owner is None or not owner.is_active or not owner.email:
        return False
    if kind == Kind.APPROVED:
        return page.live
    return task_state is not None and task_state.status == TaskState.STATUS_REJECTED


@task()
def send_case_study_notice(page_id, kind, key, task_state_id=None):
    """Email the member who owns the case study about the editor's decision; once per key."""
    page = CaseStudyPage.objects.select_related("owner__profile").filter(pk=page_id).first()
    task_state = TaskState.objects.filter(pk=task_state_id).first() if task_state_id else None
    if page is None or not still_worth_sending(page, kind, task_state):
        return False
    try:
        with transaction.atomic():
            notice = CaseStudyNotice.objects.create(page=page, recipient=page.owner, kind=kind, key=key)
    except IntegrityError:
        return False  # another run has sent it, or is sending it
    try:
        build_email(page, kind, task_state).send()
    except Exception:
        notice.delete()  # give the claim back so a retry can send it
        logger.exception("Case study notice %s could not be emailed", key)
        raise
    return True
