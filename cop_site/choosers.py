"""Admin choosers that list only what the editing user may read, for StreamField blocks that point at objects."""

from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView, ChosenMultipleView, ChosenView
from wagtail.admin.viewsets.chooser import ChooserViewSet


def readable_chooser(name, model, readable, *, icon, noun, ordering):
    """A ChooserViewSet whose lists come from ``readable(user)``, and its StreamField block class.

    Wagtail's own choosers list every row; ours pass the request's user through, so a facilitator picking
    roundup items never sees another private community's titles.
    """

    class ReadableMixin:
        def get_object_list(self):
            return readable(self.request.user).order_by(*ordering)

    class ReadableChosenMixin:
        """The "chosen" answers carry the title: they too must refuse what the user may not read."""

        def get_object(self, pk):
            return readable(self.request.user).get(pk=pk)

        def get_objects(self, pks):
            return readable(self.request.user).filter(pk__in=pks)

    viewset_class = type(f"{model.__name__}ChooserViewSet", (ChooserViewSet,), {
        "model": model,
        "icon": icon,
        "choose_one_text": f"Choose a {noun}",
        "choose_another_text": f"Choose another {noun}",
        "choose_view_class": type(f"{model.__name__}ChooseView", (ReadableMixin, ChooseView), {}),
        "choose_results_view_class": type(f"{model.__name__}ChooseResultsView", (ReadableMixin, ChooseResultsView), {}),
        "chosen_view_class": type(f"{model.__name__}ChosenView", (ReadableChosenMixin, ChosenView), {}),
        "chosen_multiple_view_class": type(
            f"{model.__name__}ChosenMultipleView", (ReadableChosenMixin, ChosenMultipleView), {}
        ),
    })
    return viewset_class(name, url_prefix=name.replace("_", "-"))
