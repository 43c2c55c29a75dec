from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from .. import queries
from ..forms import ProfileForm
from ..models import Profile


def profile_detail(request, username):
    try:
        profile = queries.public_profile(username)
    except Profile.DoesNotExist:
        raise Http404("No member has that name.")
    return render(request, "communities/profile_detail.html", {"profile": profile})


@login_required
def profile_edit(request):
    profile, _ = Profile.objects.get_or_create(user=request.user)
    form = ProfileForm(request.POST or None, request.FILES or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your profile has been saved.")
        return redirect(profile.get_absolute_url())
    return render(request, "communities/profile_edit.html", {"form": form, "profile": profile})
