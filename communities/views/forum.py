"""The forum's pages and actions.

Requests from htmx (`request.htmx`) get the fragment they swap in; plain requests get the page, or a redirect after
a POST, exactly as without JavaScript.
"""

from urllib.parse import parse_qs, urlsplit

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from .. import permissions, queries, services
from ..forms import EditPostForm, FlagForm, MoveThreadForm, ReplyForm, ThreadForm
from ..models import POSTS_PER_PAGE, THREADS_PER_PAGE, Post, Thread
from .access import deny

FORUM_DENIED = "This community's discussions are for its members."
FLAG_THANKS = "Thank you. The facilitators have been asked to look at this post."


def thread_list(request, community):
    user = request.user
    if not permissions.can_read_forum(user, community):
        return deny(request, community, FORUM_DENIED)
    threads = Paginator(queries.threads_for(user, community), THREADS_PER_PAGE).get_page(request.GET.get("page"))
    read = queries.read_positions(user, threads)
    for thread in threads:
        thread.unread = user.is_authenticated and read.get(thread.pk, 0) < thread.post_count
    return TemplateResponse(request, "communities/forum/thread_list.html", {
        "page": community, "threads": threads,
        "can_post": permissions.can_post(user, community),
        "can_moderate": permissions.can_moderate(user, community),
        "watching_forum": queries.watches_forum(user, community),
        "posting_blocked_reason": posting_blocked_reason(user, community),
    })


def posting_blocked_reason(user, community):
    """Why a signed-in member can't post yet, so the page can say what to do about it."""
    if not user.is_authenticated or permissions.can_post(user, community):
        return ""
    if permissions.is_member(user, community):
        return "verify"
    return "join"


def new_thread(request, community):
    user = request.user
    if not permissions.can_post(user, community):
        return deny(request, community, "Only members with a verified email address can start threads here.")
    form = ThreadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.start_thread(user, community, form.cleaned_data["title"], form.cleaned_data["body"],
                                           form.cleaned_data["submission_key"])
        except services.ForumError as error:
            form.add_error(None, str(error))
        else:
            return redirect(thread.get_absolute_url())
    return TemplateResponse(request, "communities/forum/new_thread.html", {"page": community, "form": form})


def load_thread(request, community, thread_id):
    try:
        return queries.thread_for(request.user, community, thread_id)
    except Thread.DoesNotExist:
        raise Http404("No such thread.")


@vary_on_headers("HX-Request")
def thread_detail(request, community, thread_id, slug, reply_form=None):
    user = request.user
    if not permissions.can_read_forum(user, community):
        return deny(request, community, FORUM_DENIED)
    thread = load_thread(request, community, thread_id)
    if slug != thread.slug:
        return redirect(thread.get_absolute_url())
    if request.htmx and "quote" in request.GET:
        return quote_text(request, thread)
    can_moderate = permissions.can_moderate(user, community)
    posts = queries.posts_in(thread)
    if can_moderate:
        posts = posts.prefetch_related("revisions")
    page = queries.PostPaginator(thread, posts, POSTS_PER_PAGE).get_page(request.GET.get("page"))
    queries.attach_thread(page.object_list, thread)
    if reply_form is None:
        reply_form = ReplyForm(initial=quote_initial(request, thread))
    if page.object_list:
        services.mark_read(user, thread, page.object_list[len(page.object_list) - 1].position)
    return TemplateResponse(request, "communities/forum/thread.html", {
        "page": community, "thread": thread, "posts": page,
        **reply_context(user, community, thread, reply_form, can_moderate),
        "watching": queries.watches_thread(user, thread),
        "move_form": MoveThreadForm(communities=moveable_targets(user, community)) if can_moderate else None,
    })


def reply_context(user, community, thread, reply_form, can_moderate):
    """What the reply box needs: the form, and whether (or why not) this user may reply."""
    return {
        "reply_form": reply_form, "can_moderate": can_moderate,
        "can_post": permissions.can_post(user, community) and (not thread.is_locked or can_moderate),
        "posting_blocked_reason": posting_blocked_reason(user, community),
    }


def quote_text(request, thread):
    """The quote a reply would be prefilled with, as plain text: enhance.js inserts it where the member is typing.

    Plain text, never HTML: the Markdown is the quoted member's own words.
    """
    initial = quote_initial(request, thread)
    if not initial:
        raise Http404("No such post to quote.")
    return HttpResponse(initial["body"], content_type="text/plain; charset=utf-8")


def quote_initial(request, thread):
    """Reply-with-quote: the chosen post's text as a Markdown quote, and a link back to it."""
    try:
        quoted = Post.objects.select_related("author__profile").get(
            pk=int(request.GET["quote"]), thread=thread, is_hidden=False, is_deleted=False
        )
    except (KeyError, ValueError, Post.DoesNotExist):
        return {}
    author = quoted.author.profile.name if quoted.author else "A former member"
    quoted_lines = "\n".join(f"> {line}" for line in quoted.body.splitlines())
    return {"body": f"{author} wrote:\n\n{quoted_lines}\n\n", "quoted_post": quoted.pk}


def moveable_targets(user, community):
    return queries.communities_facilitated_by(user).exclude(pk=community.pk)


MODERATION_MESSAGES = {
    "pin": "Thread pinned to the top of the forum.",
    "unpin": "Thread unpinned.",
    "lock": "Thread locked: nobody can reply until it is unlocked.",
    "unlock": "Thread unlocked.",
    "hide": "Thread hidden from members; facilitators still see it.",
    "unhide": "Thread visible to members again.",
}


@require_POST
def thread_action(request, community, thread_id, action):
    user = request.user
    if not (user.is_authenticated and permissions.can_read_forum(user, community)):
        return deny(request, community, FORUM_DENIED)
    if action == "reply" and not permissions.can_post(user, community):
        return deny(request, community, "Only members with a verified email address can reply here.")
    if action not in {"reply", "watch", "unwatch"} and not permissions.can_moderate(user, community):
        return deny(request, community, "Only this community's facilitators can do that.")
    thread = load_thread(request, community, thread_id)
    try:
        if action == "reply":
            return post_reply(request, community, thread)
        if action in {"watch", "unwatch"}:
            watching = action == "watch"
            services.set_watch(user, thread=thread, watching=watching)
            message = "You're watching this thread." if watching else "You've stopped watching this thread."
            if request.htmx:
                return watch_toggled(request, {"page": community, "thread": thread, "watching": watching}, message)
            messages.success(request, message)
        elif action in services.THREAD_ACTIONS:
            services.moderate_thread(user, thread, action)
            messages.success(request, MODERATION_MESSAGES[action])
        elif action == "move":
            form = MoveThreadForm(request.POST, communities=moveable_targets(user, community))
            if not form.is_valid():
                raise services.ForumError("Choose a community you facilitate to move this thread to.")
            services.move_thread(user, thread, form.cleaned_data["target"])
            messages.success(request, f"Thread moved to {form.cleaned_data['target'].title}.")
        else:
            raise Http404("No such action.")
    except services.ForumError as error:
        messages.error(request, str(error))
    return redirect(thread.get_absolute_url())


def post_reply(request, community, thread):
    form = ReplyForm(request.POST)
    if form.is_valid():
        quoted = Post.objects.filter(pk=form.cleaned_data["quoted_post"], thread=thread).first() if form.cleaned_data["quoted_post"] else None
        try:
            post = services.reply(request.user, thread, form.cleaned_data["body"], quoted, form.cleaned_data["submission_key"])
        except services.ForumError as error:
            form.add_error(None, str(error))
        else:
            if request.htmx:
                return reply_posted(request, community, thread, post)
            return redirect(post.get_absolute_url())
    if request.htmx:
        return reply_box(request, community, thread, form)
    request.GET = request.GET.copy()
    request.GET["page"] = str((thread.post_count - 1) // POSTS_PER_PAGE + 1)
    return thread_detail(request, community, thread.pk, thread.slug, reply_form=form)


def reply_box(request, community, thread, reply_form, template="communities/forum/reply_box.html", **extra):
    """The reply box on its own, for htmx to swap in place of the one that was sent."""
    can_moderate = permissions.can_moderate(request.user, community)
    return TemplateResponse(request, template, {
        "page": community, "thread": thread, **reply_context(request.user, community, thread, reply_form, can_moderate),
        **extra,
    })


def reply_posted(request, community, thread, post):
    """After an enhanced reply: a fresh form, and the new post added to the page being read, or a link to its page."""
    shown_here = post.page_number == page_being_read(request, thread)
    if shown_here:
        post = queries.posts_in(thread).get(pk=post.pk)
    queries.attach_thread([post], thread)
    return reply_box(request, community, thread, ReplyForm(), template="communities/forum/reply_posted.html",
                     posted=post, shown_here=shown_here)


def page_being_read(request, thread):
    """The thread page the reply was sent from (htmx sends its URL), numbered as the thread's pagination would."""
    number = parse_qs(urlsplit(request.htmx.current_url or "").query).get("page", ["1"])[0]
    return Paginator(range(thread.post_count), POSTS_PER_PAGE).get_page(number).number


def watch_toggled(request, context, message):
    """The watch button in its new state, with the message announced in the page instead of after a redirect."""
    response = TemplateResponse(request, "communities/forum/watch_button.html", context)
    return trigger_client_event(response, "announce", {"message": message})


def load_post(request, community, post_id):
    post = Post.objects.select_related("thread__community", "author__profile").filter(
        pk=post_id, thread__community=community
    ).first()
    if post is None or not permissions.can_read_thread(request.user, post.thread):
        raise Http404("No such post.")
    return post


def post_permalink(request, community, post_id):
    if not permissions.can_read_forum(request.user, community):
        return deny(request, community, FORUM_DENIED)
    return redirect(load_post(request, community, post_id).get_absolute_url())


def post_action(request, community, post_id, action):
    user = request.user
    if not (user.is_authenticated and permissions.can_read_forum(user, community)):
        return deny(request, community, FORUM_DENIED)
    post = load_post(request, community, post_id)
    views = {"edit": edit_post, "delete": delete_post, "hide": hide_post, "unhide": hide_post,
             "flag": flag_post, "history": post_history}
    if action not in views:
        raise Http404("No such action.")
    return views[action](request, community, post, action)


def edit_post(request, community, post, action):
    if not permissions.can_edit_post(request.user, post):
        return deny(request, community, "You can only edit your own posts in open threads.")
    form = EditPostForm(request.POST or None, initial={"body": post.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_post(request.user, post, form.cleaned_data["body"])
        except services.ForumError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your post has been updated.")
            return redirect(post.get_absolute_url())
    return TemplateResponse(request, "communities/forum/edit_post.html", {"page": community, "post": post, "form": form})


@require_POST
def delete_post(request, community, post, action):
    if post.author_id != request.user.pk and not permissions.can_moderate(request.user, community):
        return deny(request, community, "You can only delete your own posts.")
    try:
        services.delete_post(request.user, post)
        messages.success(request, "The post has been deleted.")
    except services.ForumError as error:
        messages.error(request, str(error))
    return redirect(post.get_absolute_url())


@require_POST
def hide_post(request, community, post, action):
    if not permissions.can_moderate(request.user, community):
        return deny(request, community, "Only this community's facilitators can hide posts.")
    try:
        services.set_post_hidden(request.user, post, action == "hide")
        messages.success(request, "The post is hidden from members." if action == "hide" else "The post is visible again.")
    except services.ForumError as error:
        messages.error(request, str(error))
    return redirect(post.get_absolute_url())


def flag_post(request, community, post, action):
    if not permissions.can_post(request.user, community):
        return deny(request, community, "Only members can flag posts.")
    # Inline under its post, the form's field ids name the post: several can be open on one page.
    form = FlagForm(request.POST or None, auto_id=f"flag-{post.pk}-%s" if request.htmx else "id_%s")
    if request.method == "POST" and form.is_valid():
        try:
            services.flag_post(request.user, post, form.cleaned_data["reason"], form.cleaned_data["note"])
        except services.ForumError as error:
            form.add_error(None, str(error))  # shown above the form, with the reason and note as typed
        else:
            if request.htmx:
                return TemplateResponse(request, "communities/forum/flag_sent.html", {"message": FLAG_THANKS})
            messages.success(request, FLAG_THANKS)
            return redirect(post.get_absolute_url())
    template = "communities/forum/flag_form.html" if request.htmx else "communities/forum/flag_post.html"
    return TemplateResponse(request, template, {"page": community, "post": post, "form": form})


def post_history(request, community, post, action):
    if not permissions.can_moderate(request.user, community):
        return deny(request, community, "Only facilitators can see earlier versions of a post.")
    return TemplateResponse(request, "communities/forum/post_history.html", {
        "page": community, "post": post, "revisions": post.revisions.select_related("edited_by__profile"),
    })


@require_POST
def watch_forum(request, community):
    if not (request.user.is_authenticated and permissions.can_read_forum(request.user, community)):
        return deny(request, community, FORUM_DENIED)
    watching = request.POST.get("watch") == "1"
    services.set_watch(request.user, community=community, watching=watching)
    message = "You'll hear about new threads here." if watching else "You've stopped watching this forum."
    if request.htmx:
        return watch_toggled(request, {"page": community, "watching": watching}, message)
    messages.success(request, message)
    return redirect(community.url + "forum/")
