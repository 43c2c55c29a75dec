"""Roundups in the Wagtail admin: the "Roundups" menu item and screens (newsletters.admin_views), and the
roundup actions in the page editor's header. Shown to those who compile some roundup, and to nobody else."""

from django.urls import path, reverse
from django.utils.functional import cached_property
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from . import admin_views
from .models import RoundupPage


class RoundupsMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.compiles_any_roundup(request.user)


class RoundupViewSet(ViewSet):
    name = "roundups"
    url_prefix = "newsletters"
    icon = "mail"
    menu_label = "Roundups"
    menu_order = 260  # after Communities
    add_to_admin_menu = True
    menu_item_class = RoundupsMenuItem

    @cached_property
    def menu_url(self):
        """The compile screen: the month at a glance is where a facilitator starts."""
        return reverse("roundups:compile")

    def get_urlpatterns(self):
        return [
            path("", admin_views.RoundupIndexView.as_view(), name="index"),
            path("compile/", admin_views.CompileView.as_view(), name="compile"),
            path("<int:pk>/send-test/", admin_views.SendTestView.as_view(), name="send_test"),
            path("<int:pk>/deliveries/", admin_views.DeliveriesView.as_view(), name="deliveries"),
        ]


@hooks.register("register_admin_viewset")
def register_roundups_admin():
    return RoundupViewSet()


@hooks.register("register_page_header_buttons")
def roundup_header_buttons(page, user, view_name, next_url=None):
    """Send a test, deliveries and compile again, in the "more" menu of a roundup's editor header."""
    if page.specific_class is not RoundupPage:
        return []
    roundup = page.specific_deferred
    return admin_views.roundup_buttons(roundup, user, next_url=admin_views.edit_url(page))
