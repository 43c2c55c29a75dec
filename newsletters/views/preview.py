"""The editor's preview modes of a roundup: the web page, and the email as the previewing user would get it."""

from django.http import Http404, HttpResponse

from ..emails import RoundupMail


def preview_roundup(request, roundup, mode_name):
    if mode_name == "":
        from .roundup import render_roundup

        return render_roundup(request, roundup)
    if mode_name not in {"email_html", "email_text"}:
        raise Http404("No such preview.")
    html, text = RoundupMail(roundup).bodies(request.user)
    if mode_name == "email_html":
        return HttpResponse(html)
    return HttpResponse(text, content_type="text/plain; charset=utf-8")
