from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from communities.permissions import has_verified_email

from .. import submissions
from ..forms import CaseStudySubmissionForm

SUBMITTED_SESSION_KEY = "library:submitted-case-study"


def submit_case_study(request, library_page):
    """Members write up a case study; it waits as a draft in the moderation workflow until an editor approves it."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not has_verified_email(user):
        return TemplateResponse(request, "library/case_study_submit.html", {
            "page": library_page,
            "refused": "Please verify your email address before submitting a case study.",
        }, status=403)
    if request.GET.get("sent"):
        return TemplateResponse(request, "library/case_study_thanks.html", {
            "page": library_page, "submitted_title": request.session.pop(SUBMITTED_SESSION_KEY, ""),
        })
    form = CaseStudySubmissionForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and submissions.over_daily_limit(user):
        form.add_error(None, "You have sent several case studies today. Please wait for an editor to review them "
                             "before sending more.")
    elif request.method == "POST" and form.is_valid():
        case_study = submissions.submit_once(library_page, user, form)
        if case_study is not None:
            request.session[SUBMITTED_SESSION_KEY] = case_study.title
        return redirect(f"{request.path}?sent=1")
    return TemplateResponse(request, "library/case_study_submit.html", {"page": library_page, "form": form})
