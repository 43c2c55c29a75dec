from django.conf import settings
from django.db import models
from django.utils.text import slugify

from cop_site.models import RenderedMarkdown

POSTS_PER_PAGE = 20
THREADS_PER_PAGE = 30


class Thread(models.Model):
    """A discussion in a community's forum. Counters are kept on the row so lists cost one query."""

    community = models.ForeignKey("communities.CommunityPage", on_delete=models.CASCADE, related_name="threads")
    title = models.CharField(max_length=150)
    slug = models.SlugField(max_length=80, allow_unicode=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="threads")
    created_at = models.DateTimeField(auto_now_add=True)
    last_post_at = models.DateTimeField(db_index=True)
    last_poster = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reply_count = models.PositiveIntegerField(default=0)
    post_count = models.PositiveIntegerField(default=0, help_text="Every post ever made, hidden or deleted included.")
    is_pinned = models.BooleanField(default=False)
    is_locked = models.BooleanField(default=False)
    is_hidden = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["community", "-is_pinned", "-last_post_at"]),
            # The forum list's page count: an index-only count of a community's visible threads.
            models.Index(fields=["community"], condition=models.Q(is_hidden=False), name="visible_threads_count"),
            # The member home: a community's visible threads active since a moment, read from the index alone.
            models.Index(fields=["community", "last_post_at"], include=["id"], condition=models.Q(is_hidden=False),
                         name="visible_threads_by_activity"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.slug = slugify(self.title)[:80] or "thread"
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.community.url}forum/{self.pk}-{self.slug}/"


class Post(RenderedMarkdown):
    """One message in a thread. Its position never changes, so a permalink always finds its page."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    position = models.PositiveIntegerField(help_text="1 for the opening post, then 2, 3... in order of posting.")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="posts")
    body = models.TextField()
    quoted_post = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="quoted_by")
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    is_hidden = models.BooleanField(default=False)
    is_deleted = models.BooleanField(default=False)
    submission_key = models.UUIDField(null=True, blank=True, editable=False, help_text="Makes a resubmitted form a no-op.")

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["thread", "position"], name="one_post_per_position"),
            models.UniqueConstraint(fields=["author", "submission_key"], name="one_post_per_submission"),
        ]
        indexes = [
            # The member home's news: a thread's readable posts since a moment, read from the index alone.
            models.Index(fields=["thread", "created_at"], include=["position", "author"],
                         condition=models.Q(is_hidden=False, is_deleted=False), name="readable_posts_by_time"),
        ]

    def __str__(self):
        return f"#{self.position} in {self.thread}"

    @property
    def page_number(self):
        return (self.position - 1) // POSTS_PER_PAGE + 1

    @property
    def anchor(self):
        return f"post-{self.pk}"

    def get_absolute_url(self):
        return self.url_in(self.thread.get_absolute_url())

    def url_in(self, thread_url):
        """This post's permalink, given its thread's URL (for lists that have worked that out already)."""
        page = f"?page={self.page_number}" if self.page_number > 1 else ""
        return f"{thread_url}{page}#{self.anchor}"


class PostRevision(models.Model):
    """The text a post had before an edit; facilitators can read the history."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


class ThreadRead(models.Model):
    """How far a member has read a thread: the basis of unread markers."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="reads")
    last_read_position = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "thread"], name="one_read_marker_per_thread")]
