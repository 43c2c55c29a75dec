"""The roundups in the Wagtail admin: compile a month's draft, list the roundups, send a test, follow deliveries.

A community's facilitators work on its roundups here, and staff on all of them (the site-wide one is staff's
alone): ``permissions.can_compile`` decides, for every view. Writing and publishing, which sends, happen in
Wagtail's own page editor, which ``RoundupPermissionTester`` opens to the same people.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Count, F, IntegerField, OuterRef, Subquery
from django.db.models.functions import Cast, Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.views.generic import FormView
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.ui.tables import ButtonsColumnMixin, Column, DateColumn, TitleColumn
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views.generic.base import BaseListingView, WagtailAdminTemplateMixin
from wagtail.admin.widgets import Button, ButtonWithDropdown, HeaderButton
from wagtail.models import Revision

from communities.models import CommunityPage
from communities.permissions import is_staff, memberships

from . import emails, sending
from .compile import CompileError, activity, compile_roundup, roundup_for
from .figures import key_figures, posts_chart
from .forms_admin import SITE, CompileForm
from .models import Delivery, RoundupPage
from .permissions import can_compile

Status = Delivery.Status

# Queries


def facilitated_community_ids(user):
    """The communities whose roundups ``can_compile`` lets this user (not staff) compile, as a filter."""
    return [community_id for community_id, found in memberships(user).items() if found.is_facilitator]


def compiles_any_roundup(user):
    return is_staff(user) or bool(facilitated_community_ids(user))


def compilable_communities(user):
    communities = CommunityPage.objects.order_by("title")
    return communities if is_staff(user) else communities.filter(pk__in=facilitated_community_ids(user))


def _deliveries_count(status):
    """A subquery rather than a join and GROUP BY, so a page of the list counts only its own roundups' rows."""
    rows = Delivery.objects.filter(roundup=OuterRef("pk"), status=status).order_by().values("roundup")
    return Coalesce(Subquery(rows.annotate(count=Count("pk")).values("count")), 0, output_field=IntegerField())


def with_progress(roundups):
    """Roundups with their deliveries counted by status (``<status>_count``) and any scheduled publication
    (``scheduled_at``), in the same query."""
    scheduled = Revision.page_revisions.filter(
        object_id=Cast(OuterRef("pk"), output_field=CharField()), approved_go_live_at__isnull=False
    ).values("approved_go_live_at")[:1]
    counts = {f"{status}_count": _deliveries_count(status) for status in Status.values}
    return roundups.select_related("community").annotate(**counts, scheduled_at=Subquery(scheduled))


def compilable_roundups(user):
    """The roundups this user may compile, newest month first and the site-wide one before the communities'."""
    roundups = RoundupPage.objects.all()
    if not is_staff(user):
        roundups = roundups.filter(community__in=facilitated_community_ids(user))
    return with_progress(roundups).order_by("-month", F("community__title").asc(nulls_first=True))


# What the screens show


SHORT_STATUS = {
    Status.QUEUED: "queued", Status.SENDING: "sending", Status.SENT: "sent",
    Status.FAILED: "failed (will retry)", Status.GAVE_UP: "gave up", Status.SKIPPED: "skipped",
}
OUTSTANDING = (Status.QUEUED, Status.SENDING, Status.FAILED)


@dataclass(frozen=True)
class Progress:
    """Where a roundup annotated by ``with_progress`` stands: draft, scheduled, published, sending or sent."""

    roundup: RoundupPage

    @property
    def counts(self):
        return {status: getattr(self.roundup, f"{status}_count", 0) for status in Status.values}

    @property
    def is_sent(self):
        """Sending has started: the roundup can no longer be compiled."""
        return self.roundup.sending_started_at is not None

    @property
    def label(self):
        roundup = self.roundup
        if self.is_sent:
            return "Sending" if any(self.counts[status] for status in OUTSTANDING) else "Sent"
        if roundup.live:
            return "Published"
        if roundup.scheduled_at:
            return f"Scheduled for {format_date(timezone.localtime(roundup.scheduled_at), 'j F Y, H:i')}"
        return "Draft"

    @property
    def deliveries(self):
        """"120 sent, 3 failed (will retry)": the non-zero counts, in the order a delivery goes through them."""
        return ", ".join(f"{count} {SHORT_STATUS[status]}" for status, count in self.counts.items() if count)

    def __str__(self):
        return f"{self.label}: {self.deliveries}" if self.deliveries else self.label


def compiled_message(result):
    count = len(result.added)
    if result.created:
        return f"Compiled the draft with {count} item{pluralize(count)}: write your intro, then publish to send it."
    if not count:
        return "Nothing new since the last compile; your intro and edits are unchanged."
    return f"Added {count} new item{pluralize(count)}; your intro and edits are unchanged."


def edit_url(roundup):
    return reverse("wagtailadmin_pages:edit", args=[roundup.pk])


def compile_url(community, month):
    stream = SITE if community is None else community.pk
    return f"{reverse('roundups:compile')}?{urlencode({'community': stream, 'month': f'{month:%Y-%m}'})}"


def roundup_buttons(roundup, user, next_url):
    """What may be done with a roundup besides editing it: for its page header in the editor and the list."""
    if not can_compile(user, roundup.community):
        return []
    send_test = reverse("roundups:send_test", args=[roundup.pk])
    buttons = [
        Button("Send a test to yourself", url=f"{send_test}?{urlencode({'next': next_url})}", icon_name="mail",
               priority=110),
        Button("Deliveries", url=reverse("roundups:deliveries", args=[roundup.pk]), icon_name="list-ul", priority=120),
    ]
    if roundup.sending_started_at is None:
        buttons.append(Button("Compile again", url=compile_url(roundup.community, roundup.month), icon_name="resubmit",
                              priority=130))
    return buttons


# Views


class RoundupsAdminMixin(WagtailAdminTemplateMixin):
    """For those who compile some roundup; the Roundups list is the parent of every screen."""

    header_icon = "mail"

    def dispatch(self, request, *args, **kwargs):
        if not compiles_any_roundup(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("roundups:index"), "label": "Roundups"},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]


class RoundupMixin(RoundupsAdminMixin):
    """A screen about one roundup, for those who may compile it."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.roundup = get_object_or_404(with_progress(RoundupPage.objects.all()), pk=kwargs["pk"])

    def dispatch(self, request, *args, **kwargs):
        if not can_compile(request.user, self.roundup.community):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.roundup.title

    def get_context_data(self, **kwargs):
        return super().get_context_data(roundup=self.roundup, progress=Progress(self.roundup), **kwargs)


class RoundupTitleColumn(ButtonsColumnMixin, TitleColumn):
    """The roundup's title, linking to the editor, with its other actions beside it."""

    def get_buttons(self, instance, parent_context):
        request = parent_context["request"]
        more = roundup_buttons(instance, request.user, next_url=request.get_full_path())
        if not more:
            return []
        label = f"More options for “{instance.title}”"
        return [ButtonWithDropdown(buttons=more, icon_name="dots-horizontal", attrs={"aria-label": label})]


class RoundupPaginator(WagtailPaginator):
    verbose_name = "roundup"  # not the model's "roundup page"
    verbose_name_plural = "roundups"


class RoundupIndexView(RoundupsAdminMixin, BaseListingView):
    page_title = "Roundups"
    index_url_name = "roundups:index"
    paginate_by = 25
    paginator_class = RoundupPaginator
    verbose_name_plural = "roundups"
    columns = [
        RoundupTitleColumn("title", label="Roundup", get_url=edit_url),
        Column("month", label="Month", accessor="month_label"),
        Column("stream", label="Stream", accessor="stream_label"),
        Column("status", label="Status", accessor=lambda roundup: str(Progress(roundup))),
        DateColumn("compiled_at", label="Last compiled"),
    ]

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    @cached_property
    def header_buttons(self):
        return [HeaderButton("Compile a roundup", url=reverse("roundups:compile"), icon_name="plus")]

    def get_base_queryset(self):
        return compilable_roundups(self.request.user)


class CompileView(RoundupsAdminMixin, FormView):
    """This month at a glance for a stream, and the button that compiles (or re-compiles) its draft.

    The stream and month come from the query string (the "Show" form); "Compile draft" posts them back.
    """

    page_title = "Compile a roundup"
    template_name = "newsletters/admin/compile.html"
    form_class = CompileForm

    @cached_property
    def header_buttons(self):
        return [HeaderButton("All roundups", url=reverse("roundups:index"), icon_name="list-ul")]

    def get_form_kwargs(self):
        user = self.request.user
        kwargs = {"communities": compilable_communities(user), "site_wide": can_compile(user, None)}
        if self.request.method == "POST":
            return {**kwargs, "data": self.request.POST}
        return {**kwargs, "data": self.request.GET, "fill_defaults": True}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if form.asks_for_another_stream():
            raise PermissionDenied
        return form

    def form_valid(self, form):
        community = form.cleaned_data["community"]
        if not can_compile(self.request.user, community):  # the choices say so already; the write asks the rule itself
            raise PermissionDenied
        try:
            result = compile_roundup(community, form.cleaned_data["month"], self.request.user)
        except CompileError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, compiled_message(result))
        return redirect(edit_url(result.roundup))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        if form.is_valid() or {"community", "month"} <= set(form.cleaned_data):
            context.update(self.at_a_glance(form.cleaned_data["community"], form.cleaned_data["month"]))
        return context

    def at_a_glance(self, community, month):
        figures = activity(community, month)
        existing = roundup_for(community, month)
        if existing is not None:
            existing = with_progress(RoundupPage.objects.filter(pk=existing.pk)).get()
        return {
            "community": community,
            "month": month,
            "stream_label": community.title if community is not None else "the whole site",
            "stream_value": SITE if community is None else community.pk,
            "figures": key_figures(figures),
            "chart": posts_chart(figures, month),
            "existing": existing,
            "progress": Progress(existing) if existing is not None else None,
        }


class SendTestView(RoundupMixin, FormView):
    """Confirm, then email the roundup's latest draft to the person asking, as a subscriber would get it."""

    page_title = "Send a test"
    template_name = "newsletters/admin/send_test.html"
    form_class = forms.Form

    def get_success_url(self):
        return get_valid_next_url_from_request(self.request) or edit_url(self.roundup)

    def get_context_data(self, **kwargs):
        return super().get_context_data(next_url=self.get_success_url(), **kwargs)

    def form_valid(self, form):
        try:
            emails.send_test(self.roundup, self.request.user)
        except ValueError as error:  # no address to send it to
            messages.error(self.request, str(error))
        else:
            messages.success(self.request, f"Test sent to {self.request.user.email}")
        return redirect(self.get_success_url())


class DeliveriesView(RoundupMixin, BaseListingView):
    """How the sending goes: counts by status and the deliveries that failed, with a button to retry them now."""

    page_title = "Deliveries"
    template_name = "newsletters/admin/deliveries.html"
    paginate_by = 50
    no_results_message = "No delivery has failed."
    columns = [
        Column("email", label="Email"),
        Column("status", label="Status", accessor="get_status_display"),
        Column("attempts", label="Attempts"),
        Column("last_error", label="Last error", accessor=lambda delivery: Truncator(delivery.last_error).chars(300)),
        DateColumn("next_attempt_at", label="Next attempt"),
    ]

    def get_index_url(self):
        return reverse("roundups:deliveries", args=[self.roundup.pk])

    def get_base_queryset(self):
        return Delivery.objects.filter(roundup=self.roundup, status__in=[Status.FAILED, Status.GAVE_UP]).order_by(
            "status", F("next_attempt_at").asc(nulls_last=True), "pk"
        )

    def get_context_data(self, **kwargs):
        counts = Progress(self.roundup).counts
        return super().get_context_data(
            counts=[(label, counts[status]) for status, label in Status.choices],
            retryable=counts[Status.FAILED],
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        handed_out = sending.retry_now(self.roundup)
        if handed_out:
            deliveries = f"{handed_out} deliver{pluralize(handed_out, 'y,ies')}"
            messages.success(request, f"Retrying now: {deliveries} handed to the sender.")
        else:
            messages.info(request, "Nothing was waiting to be retried.")
        return redirect(self.get_index_url())
