"""Communities in the Wagtail admin: memberships, join requests, flags and the moderation log.

Decisions taken here (approve, decline, resolve) go through communities.services, exactly as on the
site, so members are notified and the moderation log is written.
"""

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.models import Permission
from django.db.models import F
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.views.generic import FormView
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import CreateView, DeleteView, EditView, IndexView
from wagtail.admin.views.generic.base import BaseObjectMixin, WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets import ListingButton

from . import services
from .admin_access import choosable_pages
from .models import CommunityPage, Flag, Membership, ModerationLog


def excerpt(text, length=80):
    return Truncator(text).chars(length)


# Views shared by the viewsets below

class ServiceActionView(PermissionCheckedMixin, BaseObjectMixin, WagtailAdminTemplateMixin, FormView):
    """A confirmation form whose submission calls a communities service; its refusals become error messages."""

    template_name = "wagtailadmin/generic/form.html"
    permission_required = "change"
    index_url_name = None
    list_label = ""
    submit_button_label = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            action_url=self.request.get_full_path(),
            submit_button_label=self.submit_button_label,
            submit_button_active_label=self.submit_button_label,
            **kwargs,
        )

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": self.list_label},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def form_valid(self, form):
        try:
            done = self.perform(form.cleaned_data)
        except services.ForumError as error:
            messages.error(self.request, str(error))
        else:
            messages.success(self.request, done)
        return redirect(self.index_url_name)

    def perform(self, data):
        """Call the service and return the success message."""
        raise NotImplementedError


class DecisionForm(forms.Form):
    message = forms.CharField(
        label="Message to the member", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Optional. It is included in the email they receive.",
    )


class DecideJoinRequestView(ServiceActionView):
    model = Membership
    form_class = DecisionForm
    list_label = "Join requests"
    approve = True

    def get_base_object_queryset(self):
        return Membership.objects.select_related("user__profile", "community")

    def get_page_title(self):
        return "Approve join request" if self.approve else "Decline join request"

    def get_page_subtitle(self):
        return f"{self.object.user.profile.name} in {self.object.community.title}"

    @property
    def submit_button_label(self):
        return f"{'Approve' if self.approve else 'Decline'} {self.object.user.profile.name}"

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if self.object.request_message:
            form.fields["message"].help_text = format_html(
                "They wrote: “{}”. Your reply is optional and included in the email they receive.",
                excerpt(self.object.request_message, 500),
            )
        return form

    def perform(self, data):
        services.decide(self.request.user, self.object, self.approve, data["message"])
        name, community = self.object.user.profile.name, self.object.community.title
        return f"{name} is now a member of {community}." if self.approve else f"{name}'s request to join {community} was declined."


class ResolveFlagForm(forms.Form):
    resolution = forms.CharField(
        label="Decision", max_length=200, help_text="Recorded in the moderation log, e.g. “No breach: robust but civil”."
    )
    hide_post = forms.BooleanField(label="Hide the post", required=False)


class ResolveFlagView(ServiceActionView):
    """Resolves every open flag on the flagged post, as the site's flag queue does."""

    model = Flag
    form_class = ResolveFlagForm
    list_label = "Flags"
    page_title = "Resolve flag"
    submit_button_label = "Resolve"

    def get_base_object_queryset(self):
        return Flag.objects.select_related("post__thread__community", "reporter")

    def get_page_subtitle(self):
        return str(self.object)

    def dispatch(self, request, *args, **kwargs):
        if self.object.resolved_at is not None:
            messages.info(request, "That flag has already been resolved.")
            return redirect(self.index_url_name)
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["hide_post"].help_text = format_html(
            "Only facilitators will be able to read it. The post: “{}”", excerpt(self.object.post.body, 300)
        )
        return form

    def perform(self, data):
        services.resolve_flag(self.request.user, self.object, data["resolution"], hide_post=data["hide_post"])
        return "Post hidden and its flags resolved." if data["hide_post"] else "Flags resolved; the post stays."


class MemberCountMixin:
    """An admin edit can change who is a member, so the community's counter is recounted after each."""

    def save_instance(self):
        instance = super().save_instance()
        services.refresh_member_count(instance.community)
        return instance

    def delete_action(self):
        super().delete_action()
        services.refresh_member_count(self.object.community)


# Viewsets

class ReadOnlyViewSet(ModelViewSet):
    """A listing with an inspect view and its own actions, but no add, edit or delete: changes go through services."""

    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    permissions_registered = ("view",)

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            add_url_name=None, edit_url_name=None, delete_url_name=None, history_url_name=None, usage_url_name=None,
            **kwargs,
        )

    def get_urlpatterns(self):
        patterns = [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]
        if self.inspect_view_enabled:
            patterns.append(path("inspect/<int:pk>/", self.inspect_view, name="inspect"))
        return patterns

    def get_permissions_to_register(self):
        codenames = [f"{action}_{self.model_name}" for action in self.permissions_registered]
        return Permission.objects.filter(content_type__app_label=self.app_label, codename__in=codenames)

    def register_admin_url_finder(self):
        pass  # there is no edit view to find


class MembershipIndexView(IndexView):
    def get_base_queryset(self):
        return Membership.objects.select_related("user", "community").order_by("community__title", "-created_at")


class MembershipViewSet(ModelViewSet):
    model = Membership
    name = "community_memberships"
    url_prefix = "communities/memberships"
    icon = "group"
    menu_label = "Memberships"
    add_to_reference_index = False
    copy_view_enabled = False
    index_view_class = MembershipIndexView
    add_view_class = type("MembershipCreateView", (MemberCountMixin, CreateView), {})
    edit_view_class = type("MembershipEditView", (MemberCountMixin, EditView), {})
    delete_view_class = type("MembershipDeleteView", (MemberCountMixin, DeleteView), {})
    list_display = ["user", "community", "role", "status", DateColumn("created_at", label="Since")]
    list_filter = ["community", "status", "role"]
    search_fields = ["user__username", "user__email", "user__profile__display_name"]
    form_fields = ["user", "community", "role", "status", "decision_message"]


class JoinRequestIndexView(IndexView):
    any_permission_required = ["change"]
    page_title = "Join requests"

    def get_base_queryset(self):
        return Membership.objects.pending().select_related("user", "community").order_by("created_at")

    def get_list_more_buttons(self, instance):
        return [
            ListingButton("Approve", url=reverse("community_join_requests:approve", args=[instance.pk]), priority=10),
            ListingButton("Decline", url=reverse("community_join_requests:decline", args=[instance.pk]), priority=20),
        ]


class JoinRequestViewSet(ReadOnlyViewSet):
    """Pending memberships, each with approve and decline actions."""

    model = Membership
    name = "community_join_requests"
    url_prefix = "communities/join-requests"
    icon = "user"
    menu_label = "Join requests"
    inspect_view_enabled = False
    permissions_registered = ()  # the memberships viewset registers Membership's permissions
    index_view_class = JoinRequestIndexView
    list_display = [
        "user", "community",
        Column("request_message", label="Their message", accessor=lambda m: excerpt(m.request_message, 120)),
        DateColumn("created_at", label="Asked"),
    ]
    list_filter = ["community"]

    def get_urlpatterns(self):
        view_kwargs = self.get_common_view_kwargs()
        decide = DecideJoinRequestView
        return super().get_urlpatterns() + [
            path("approve/<int:pk>/", self.construct_view(decide, **view_kwargs, approve=True), name="approve"),
            path("decline/<int:pk>/", self.construct_view(decide, **view_kwargs, approve=False), name="decline"),
        ]


class FlagFilterSet(WagtailFilterSet):
    community = django_filters.ModelChoiceFilter(
        label="Community", field_name="post__thread__community", queryset=CommunityPage.objects.order_by("title")
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=[("open", "Open"), ("resolved", "Resolved")], method="filter_status"
    )

    class Meta:
        model = Flag
        fields = []

    def filter_status(self, queryset, name, value):
        return queryset.filter(resolved_at__isnull=value == "open")


class FlagIndexView(IndexView):
    def get_base_queryset(self):
        """Open flags first, then the most recently resolved."""
        return Flag.objects.select_related("post__thread__community", "reporter").order_by(
            F("resolved_at").desc(nulls_first=True), "-created_at"
        )

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.resolved_at is None and self.user_has_permission("change"):
            buttons.append(
                ListingButton("Resolve", url=reverse("community_flags:resolve", args=[instance.pk]), priority=10)
            )
        return buttons


class FlagViewSet(ReadOnlyViewSet):
    model = Flag
    name = "community_flags"
    url_prefix = "communities/flags"
    icon = "warning"
    menu_label = "Flags"
    permissions_registered = ("view", "change")
    index_view_class = FlagIndexView
    filterset_class = FlagFilterSet
    list_display = [
        "post",
        Column("excerpt", label="Excerpt", accessor=lambda flag: excerpt(flag.post.body)),
        Column("community", label="Community", accessor="post.thread.community"),
        "reason",
        "reporter",
        DateColumn("created_at", label="Flagged"),
        Column("status", label="Status", accessor=lambda flag: f"Resolved: {flag.resolution}" if flag.resolved_at else "Open"),
    ]

    def get_urlpatterns(self):
        resolve = self.construct_view(ResolveFlagView, **self.get_common_view_kwargs())
        return super().get_urlpatterns() + [path("resolve/<int:pk>/", resolve, name="resolve")]


class ModerationLogIndexView(IndexView):
    page_title = "Moderation log"

    def get_base_queryset(self):
        return ModerationLog.objects.select_related("actor", "community", "thread", "target_user").order_by("-created_at", "-pk")


class ModerationLogViewSet(ReadOnlyViewSet):
    model = ModerationLog
    name = "community_moderation_log"
    url_prefix = "communities/moderation-log"
    icon = "list-ul"
    menu_label = "Moderation log"
    index_view_class = ModerationLogIndexView
    list_display = ["action", "community", "actor", "thread", "target_user", "detail", DateColumn("created_at", label="When")]
    list_filter = ["community", "action"]


class CommunitiesAdminGroup(ModelViewSetGroup):
    menu_label = "Communities"
    menu_icon = "group"
    menu_order = 250
    items = (MembershipViewSet, JoinRequestViewSet, FlagViewSet, ModerationLogViewSet)


@hooks.register("register_admin_viewset")
def register_communities_admin():
    return CommunitiesAdminGroup()


@hooks.register("construct_page_chooser_queryset")
def hide_unlisted_pages_from_reviewers(pages, request):
    """Facilitators reach the admin to review case studies: its page chooser must not show them drafts or
    private communities (see communities.admin_access)."""
    return choosable_pages(pages, request.user)


@hooks.register("register_admin_viewset")
def register_thread_chooser():
    from .choosers import thread_chooser_viewset

    return thread_chooser_viewset
