from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from communities.permissions import has_verified_email
from cop_site import ratelimit

from .. import permissions, queries
from ..models import SlideDeck, SlideDeckPreview
from ..tasks import enqueue_processing
from ..upload import DeckUploadForm

CONTENT_TYPES = {
    SlideDeck.Kind.PDF: "application/pdf",
    SlideDeck.Kind.PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
PRIVATE_FILE_POLICY = "default-src 'none'; img-src 'self'; sandbox"
# Nothing is stored when this shows; the browser cannot refill a file field, so the file is chosen again.
UPLOADS_LIMITED = (
    "You have shared %(limit)s decks in the last hour, the most we accept in an hour. Please try again later: "
    "the details you entered are kept below, and you will need to choose the file again."
)


def readable_deck(request, deck_id):
    """The deck if this user may see it; otherwise a 404 that says nothing about whether it exists."""
    try:
        return queries.deck_for(request.user, deck_id)
    except SlideDeck.DoesNotExist:
        raise Http404("No such slide deck.")


def upload(request, library):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not permissions.can_upload(request.user):
        reason = (
            "Please verify your email address before sharing slides."
            if not has_verified_email(request.user)
            else "Join a community to share slides with it."
        )
        return TemplateResponse(request, "library/upload_refused.html", {"page": library, "reason": reason}, status=403)
    form = DeckUploadForm(request.POST or None, request.FILES or None, user=request.user,
                          initial={"where": request.GET.get("community", "")})
    if request.method == "POST" and form.is_valid():
        if ratelimit.hit_user(request.user, "deck-uploads", settings.LIBRARY_UPLOADS_PER_HOUR, ratelimit.HOUR):
            deck = form.save()
            messages.success(request, "Thank you for sharing. Previews will appear in a moment.")
            return redirect(deck.get_absolute_url())
        form.add_error(None, UPLOADS_LIMITED % {"limit": settings.LIBRARY_UPLOADS_PER_HOUR})
    return TemplateResponse(request, "library/deck_upload.html", {"page": library, "form": form})


def deck_detail(request, library, deck_id, slug):
    deck = readable_deck(request, deck_id)
    if slug != deck.slug:
        return redirect(deck.get_absolute_url())
    return TemplateResponse(request, "library/deck_page.html", {
        "page": library, "deck": deck, "can_manage": permissions.can_manage_deck(request.user, deck),
    })


def download(request, library, deck_id):
    deck = readable_deck(request, deck_id)
    SlideDeck.objects.filter(pk=deck.pk).update(download_count=F("download_count") + 1)
    return private_file_response(deck, deck.file, as_attachment=True, filename=deck.original_filename,
                                 content_type=CONTENT_TYPES[deck.kind])


def thumbnail(request, library, deck_id):
    deck = readable_deck(request, deck_id)
    if not deck.thumbnail:
        raise Http404("This deck has no thumbnail yet.")
    return private_file_response(deck, deck.thumbnail, content_type="image/png")


def preview(request, library, deck_id, page_number):
    deck = readable_deck(request, deck_id)
    image = get_object_or_404(SlideDeckPreview, deck=deck, page_number=page_number).image
    return private_file_response(deck, image, content_type="image/png")


def private_file_response(deck, file, content_type, as_attachment=False, filename=None):
    """Serve a stored file after the permission check, so no URL reaches it without one."""
    response = FileResponse(file.open("rb"), as_attachment=as_attachment, filename=filename, content_type=content_type)
    # The type comes from what we checked the file to be, never from its name; the browser must not guess
    # another, and a file opened on its own can run nothing.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = PRIVATE_FILE_POLICY
    # Shared caches may keep only what a visitor could fetch too.
    shareable = permissions.can_view_deck(AnonymousUser(), deck)
    response["Cache-Control"] = "public, max-age=3600" if shareable else "private, no-store"
    return response


@require_POST
def retry(request, library, deck_id):
    deck = readable_deck(request, deck_id)
    if not permissions.can_manage_deck(request.user, deck):
        raise PermissionDenied("Only the person who shared this deck and the community's facilitators can retry it.")
    enqueue_processing(deck)
    messages.success(request, "Processing has been started again.")
    return redirect(deck.get_absolute_url())
