"""Members' case studies: a draft page under the library, put into the site's moderation workflow.

Nothing a member types reaches the page as HTML: their paragraphs are escaped and wrapped here, and the
page stays a draft (not live, not listed) until an editor approves it in Wagtail's workflow.
"""

import logging
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.html import linebreaks
from django.utils.text import slugify
from wagtail.log_actions import log

from .models import CaseStudyPage

logger = logging.getLogger(__name__)

SUBMISSION_KEY_SECONDS = 60 * 60
DRAFTS_PER_DAY = 5  # each submission emails the editors; a member rarely has more than one or two to share


def over_daily_limit(member):
    """Whether the member has sent as many case studies in the last day as editors can sensibly be asked to review."""
    since = timezone.now() - timedelta(days=1)
    recent = CaseStudyPage.objects.filter(owner=member, live=False, latest_revision_created_at__gte=since)
    return recent.count() >= DRAFTS_PER_DAY


def paragraphs(text):
    """Plain text as escaped HTML paragraphs: a blank line starts a paragraph, a single newline breaks a line."""
    text = (text or "").strip().replace("\r\n", "\n").replace("\r", "\n")
    return linebreaks(text, autoescape=True) if text else ""


def unique_slug(parent, title):
    base = slugify(title)[:70].strip("-") or "case-study"
    taken = set(parent.get_children().filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def submit_once(library_page, member, form):
    """Submit, unless this form (its submission key) was already submitted: pressing Submit twice makes one."""
    key = f"library:case-study-submission:{member.pk}:{form.cleaned_data.get('submission_key') or ''}"
    if form.cleaned_data.get("submission_key") and not cache.add(key, True, SUBMISSION_KEY_SECONDS):
        return None
    try:
        return submit(library_page, member, form)
    except Exception:
        cache.delete(key)  # let the member try again
        raise


def build_page(form, member):
    data = form.cleaned_data
    return CaseStudyPage(
        title=data["title"],
        owner=member,
        live=False,
        organisation=data["organisation"],
        organisation_type=data["organisation_type"],
        region=data["region"],
        community=data.get("community"),
        summary=data["summary"],
        challenge=paragraphs(data["challenge"]),
        approach=paragraphs(data["approach"]),
        lessons=paragraphs(data["lessons"]),
        interventions=[("intervention", row) for row in form.intervention_rows],
        outcomes=[("outcome", row) for row in form.outcome_rows],
    )


@transaction.atomic
def submit(library_page, member, form):
    """Create the case study as a draft owned by the member, save a revision and start moderation."""
    page = build_page(form, member)
    page.slug = unique_slug(library_page, page.title)
    page.topics = list(form.cleaned_data["topics"])
    library_page.add_child(instance=page)
    log(instance=page, action="wagtail.create", user=member)
    page.save_revision(user=member, log_action=True)
    workflow = page.get_workflow()
    if workflow is None:
        # Editors still find the draft in the page tree; nobody is asked to review it, so say so loudly.
        logger.warning("No moderation workflow applies to case study %s: it waits as a draft", page.pk)
    else:
        workflow.start(page, member)
    return page
