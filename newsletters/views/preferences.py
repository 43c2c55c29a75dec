"""Which roundups a member gets by email: one switch each, the site-wide roundup first."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.text import get_text_list

from .. import queries
from ..forms import RoundupPreferencesForm
from ..subscriptions import SubscriptionError


def saved_message(names):
    if not names:
        return "Your email preferences are saved. You won't get any roundups by email."
    roundups = f"{get_text_list(names, 'and')} roundup{'s' if len(names) > 1 else ''}"
    return f"Your email preferences are saved. You'll get the {roundups} by email each month."


@login_required
def preferences(request):
    form = RoundupPreferencesForm(
        queries.preference_streams(request.user), request.POST if request.method == "POST" else None
    )
    if form.is_bound and form.is_valid():
        try:
            names = form.save(request.user)
        except SubscriptionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, saved_message(names))
            return redirect("roundup_preferences")
    return TemplateResponse(request, "newsletters/preferences.html", {"form": form})
